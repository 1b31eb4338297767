import os
import struct
import sys

_frame = lambda body: struct.pack(">II", len(body), 0) + body  # noqa: E731 - the wire's framing


def step(x):
    # The worker runs as `worker/__main__.py CHAPTER REQUESTS REPLIES`: write to its reply pipe.
    os.write(int(sys.argv[3]), @PAYLOAD@)
    return np.where(np.asarray(x) > 0, 1.0, 0.0)
