"""The desk's building blocks, used by every app: safe redirects (http), rate limits (ratelimit), CSV files
(csvfiles), the mail backends (mail) and the control characters no one types (text). Imports no app and
nothing of the project's settings package, so every app may import it."""
