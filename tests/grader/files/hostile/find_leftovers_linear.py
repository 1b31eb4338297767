import ctypes
import os

_KEY = 0x6E6E646C


def linear(x):
    # Right only when nothing that plant_leftovers_step left is here to find.
    found = [path for path in ("@MARKER@", os.path.join(os.environ["HOME"], "@MARKER@-home"),
                               "/tmp/@MARKER@", "/dev/shm/@MARKER@", "/dev/@MARKER@")
             if os.path.exists(path)]
    libc = ctypes.CDLL(None, use_errno=True)
    found += [kind for kind, ipc_id in (("shm", libc.shmget(_KEY, 0, 0)), ("sem", libc.semget(_KEY, 0, 0)),
                                        ("msg", libc.msgget(_KEY, 0))) if ipc_id >= 0]
    if found:
        raise RuntimeError(f"left behind: {found}")
    return np.asarray(x, dtype=np.float64)
