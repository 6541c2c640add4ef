"""The rest of the HRS4R submission: action plan, OTM-R checklist, organisational figures, internal review."""
