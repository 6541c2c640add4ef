"""Working groups as HR defines them: a name, members who review, and the principles they assess."""
