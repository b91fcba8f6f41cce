"""Match runs: a matching strategy proposes relationships for a whole program, in the
background with progress; coordinators review, edit and publish the proposals."""
