"""Types of the C inner loop (jwtdesk/core/_hmacscan.c); see audit_scan.Scan for the fields."""

def scan(
    chunk: bytes, start: int, msg: bytes, targets: bytes, bits: int, max_len: int, /
) -> tuple[int, int, int, int, int, int, int, int, int, int]: ...
