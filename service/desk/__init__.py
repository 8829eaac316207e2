"""The news desk: collections that grow through the day, with stable stories and briefs that say what changed."""
