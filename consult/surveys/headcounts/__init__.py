"""The staff numbers of a campaign (design.md, "Headcounts file"): aggregates only, for response rates and
weighting."""
