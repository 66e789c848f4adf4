"""The contract's list shape: `{"items", "total", "page"}` with ?page= and ?per_page= (≤ 100)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from engagement.params import PageNumber

T = TypeVar("T")


@dataclass(frozen=True)
class PageParams:
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def pages(self, total: int) -> int:
        return max(1, -(-total // self.per_page))


def page_params(
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PageParams:
    return PageParams(page=page, per_page=per_page)


Paging = Annotated[PageParams, Depends(page_params)]


class Paged(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
