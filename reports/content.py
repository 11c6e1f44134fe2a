"""What a progress report document shows, as plain data: the input of reports/documents.py.

Built from live figures (a draft) or from a finalised report's snapshot; either way it is
JSON-shaped, so a finalised report renders the same document years later.
"""

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Section:
    """One numbered part of the funder's form: its question, then the answer."""

    number: int
    heading: str
    # Paragraphs of the answer. A paragraph that starts with "## " is a sub-heading
    # (the seed groups activities under headings such as "Nätverk för sociala entreprenörer").
    paragraphs: list[str] = field(default_factory=list)
    # An optional table after the paragraphs: the first row is the header.
    table: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """A table of the figures appendix; the first row is the header."""

    title: str
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    """A bar chart: one group of bars per label, one series per name."""

    title: str
    labels: list[str]
    series: dict[str, list[int]]


@dataclass(frozen=True)
class ReportContent:
    title: str  # "Lägesrapport"
    subtitle: str  # "Skickas till Samordningsförbundet RAR var sjätte månad"
    programme_name: str
    period_label: str  # "2020-12-01–2021-05-31"
    sections: list[Section]
    appendix_title: str
    appendix: list[Table]
    charts: list[Chart]
    status_label: str  # "Utkast" or "Slutlig, 2021-06-09"

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ReportContent":
        return cls(
            **{
                **data,
                "sections": [Section(**section) for section in data["sections"]],
                "appendix": [Table(**table) for table in data["appendix"]],
                "charts": [Chart(**chart) for chart in data["charts"]],
            }
        )
