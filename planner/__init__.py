"""Turning risk and duties into patrol tasks, routes and staffing proposals."""
