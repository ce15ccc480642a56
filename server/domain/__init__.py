"""The hall's rules in plain Python: ticket states, numbering, opening hours, routing,
call-next ordering and wait estimates. Nothing here touches a database, a socket or a printer,
so every rule is tested in milliseconds and the persistence layer only has to mirror it."""
