"""The resources every asset uses: the Codex API source (`codex`) and the DuckDB warehouse (`duckdb`).

Assets import `CodexResource` from here: the configuration and the clients' interface, with no
simulator behind it. `definitions.py` builds the resources from the environment, with
`CodexSourceResource` (source.py) choosing the embedded simulator or the real API.
"""

from codex_assets.defs.resources.codex import CodexResource
from codex_assets.defs.resources.warehouse import WarehouseResource

__all__ = ["CodexResource", "WarehouseResource"]
