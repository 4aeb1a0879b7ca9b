"""Request bodies of the API. Unknown fields are refused, so a misspelt field is an error, not silently ignored."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    model_config = ConfigDict(extra='forbid')
