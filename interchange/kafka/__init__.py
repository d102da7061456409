"""The Kafka wing: client settings and clients, the Schema Registry, the model topic, and the
services built on them (scorer, routes, monitor, training, sink, serve, the local stack).

It sits above the model wing (``extract``, ``ir``, ``formats``, ``convert``) and imports from
it; the model wing never imports anything here, so converting and evaluating need no cluster.
"""
