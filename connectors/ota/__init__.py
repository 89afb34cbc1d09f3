"""OpenTravel (OTA) booking push: safe XML codec, card redaction, wire <-> canonical, answers."""
