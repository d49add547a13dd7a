"""Who hears what about a ticket: the kinds of ticket news, the rules that pick their recipients, the
watchers of a ticket, and the stale-triage alert. The outbox (notifications) delivers what these write."""
