"""One date and one date-and-time format per language (settings.FORMAT_MODULE_PATH).

Django's own defaults mix styles in one page ("Dec. 4, 2026, 7:59 a.m." beside "12/08/2026 2 p.m.") and
English's month/day order is read the other way round across Europe. English and Swedish are written the ISO
way (2026-12-08 14:00); the others in their own unambiguous day-first order, always with a 24-hour clock.
What a format module leaves out (the input formats) comes from Django's own locale files.
"""
