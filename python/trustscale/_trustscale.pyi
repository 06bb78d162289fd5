"""The native module (PyO3): one entry point used by the package."""
from typing import Any, List, Optional, Tuple

class NativeError(Exception): ...

def run(
    argv: List[str],
    # (name, numpy array | (numpy array, uint8 mask) | list of str); arrays shared, not copied
    columns: Optional[List[Tuple[str, Any]]] = ...,
    rows: Optional[Any] = ...,  # a uint64 numpy array
    label: Optional[str] = ...,
    model: Optional[str] = ...,
) -> Tuple[Optional[str], List[Tuple[str, str]], str]: ...
def version() -> str: ...
def _panic_for_test() -> None: ...
