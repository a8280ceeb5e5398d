# Start as many processes as possible, each detached into its own session, each sleeping for ten minutes.
import os
import time

for _ in range(500):
    try:
        if os.fork() == 0:
            os.setsid()
            time.sleep(600)
            os._exit(0)
    except OSError:
        break
