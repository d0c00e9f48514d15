"""Precision, recall and F1 over sets, micro-averaged; confusion matrices of labels."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PRF:
    """Counts for precision / recall / F1; add matches as you go."""

    true_positives: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, predicted: set, gold: set) -> None:
        self.true_positives += len(predicted & gold)
        self.predicted += len(predicted)
        self.gold += len(gold)

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "true_positives": self.true_positives, "predicted": self.predicted, "gold": self.gold}


@dataclass
class Confusion:
    """Counts of (gold label, predicted label) pairs: a confusion matrix built as you go."""

    labels: tuple[str, ...]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, gold: str, predicted: str) -> None:
        self.counts[(gold, predicted)] = self.counts.get((gold, predicted), 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def accuracy(self) -> float:
        correct = sum(n for (g, p), n in self.counts.items() if g == p)
        return correct / self.total if self.total else 0.0

    def rate(self, gold: str, predicted: str) -> float:
        """Share of the items whose gold label is `gold` that were predicted `predicted`."""
        row = sum(n for (g, _), n in self.counts.items() if g == gold)
        return self.counts.get((gold, predicted), 0) / row if row else 0.0

    def as_dict(self) -> dict[str, object]:
        """{"labels", "matrix": {gold: {predicted: count}}, "accuracy", "total"}; labels met
        outside `labels` (a new claim attribute value) get their own row and column."""
        extra = sorted({label for pair in self.counts for label in pair} - set(self.labels))
        labels = [*self.labels, *extra]
        return {
            "labels": labels,
            "matrix": {g: {p: self.counts.get((g, p), 0) for p in labels} for g in labels},
            "accuracy": round(self.accuracy, 4),
            "total": self.total,
        }
