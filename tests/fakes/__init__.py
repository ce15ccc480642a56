"""Stand-ins for hardware and outside services, shared by the test suites."""
