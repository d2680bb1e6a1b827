"""The JSON API under /api/: the sandbox's entities and IAM actions, for scripts and other programs.

Thin by design: reads are queries scoped to the signed-in learner; every write calls the same operation the
console calls (simulator.sandbox.*), as the identity the request names (acting.py), so the engine decides and
logs it alike. Every error has AWS's shape (errors.py); the OpenAPI schema is at /api/schema/, Swagger UI at
/api/docs/.
"""
