"""The hall layout: sites, zones, windows, queues, items and delegations, read from YAML."""
