"""The catalogue: what a request can be about (categories, their departments and forms) and the
SLA targets per priority. Requests refer to it; it knows the kernel's tables only."""
