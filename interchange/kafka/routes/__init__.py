"""Routes: which input topic a scorer reads for which model, with which version policy
(latest, pinned, canary, shadow), from a YAML file and from a compacted routes topic.

Plain data and its topic; the scorer's router turns routes into live versions.
"""
