"""Hostile input and faults, through HTTP: every answer is a 4xx (or a 503 for a
dependency that is down) in the JSON envelope, and nothing is written.

Where each kind of attack is tested:

- photos that are decompression or CPU bombs: ``test_hostile_images``
- a database or object store that hangs, orphaned objects, gunicorn's own
  refusals, chunked bodies over the limit: ``test_hostile_faults`` (and, under
  a real gunicorn with a throwaway PostgreSQL and a stopped S3 stub,
  ``tests/e2e/test_hang_faults.py``)
- FCM answering 429 with ``Retry-After``, expired leases: ``tests/notifications/test_retry_after_and_leases.py``;
  push floods and device-registration races: ``test_hostile_push``
- deep JSON, lone surrogates and NUL in every string field, dates out of range,
  forged cursors, calendars without open time: ``test_hostile_input``
- scopes, sign-in throttling, reset timing, recipients who lost access, audit of
  account lists, foreign sessions, the comment limit: ``test_hostile_security``
- antimeridian geofences, the size of ``/me/data``, racing PUTs: ``test_hostile_misc``
- the upgrade gate's headers: ``test_app_version_input``; ids in paths written in other
  digits, photo removal and its races: ``test_path_id_and_photo_removal_input``; push tokens,
  codes and refresh tokens with stray characters: ``test_token_and_code_input``; sync cursors:
  ``test_sync_cursor_input``; If-None-Match, Accept-Encoding, Accept-Language:
  ``test_http_header_input``
- the request conversation, photos and edits: ``test_request_work_input``; staff work (saved
  views, bulk, canned replies, assignment rules): ``test_staff_work_input``
- one vocabulary for the API and the database, office hours: ``test_hostile_vocabulary``
"""
