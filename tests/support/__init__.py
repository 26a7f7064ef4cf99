"""What the tests and the benchmarks share: places and geofences, HTTP helpers,
photo builders (honest and hostile), a moto S3 server, the local FCM stub, and
for the suite's fixtures: accounts made and signed in directly, and the shared app.

Nothing here is a test or a fixture: test modules and ``bench`` import these
helpers as ``tests.support.<module>`` (the repository root is on ``sys.path``
under ``python -m pytest`` and ``python -m bench``), and no test module imports
another test module.
"""
