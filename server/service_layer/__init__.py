"""The service layer: the unit of work, the message bus and one handler per command."""
