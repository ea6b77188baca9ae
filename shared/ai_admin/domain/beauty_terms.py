"""Which area of a salon's work a service word belongs to, for a service the salon does not offer:
"блонд" and "балаяж" are colouring, "шеллак" is a manicure. Each area is named by word stems that
salons use in their category and service titles ("окраш" finds "Окрашивание волос")."""

from __future__ import annotations

from ai_admin.domain.russian_words import fold, lemmas

_AREAS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "colouring": (
        frozenset(
            {"блонд", "блондирование", "мелирование", "балаяж", "шатуш", "омбре", "тонирование", "airtouch", "аиртач"}
            | {"колорирование", "растяжка", "седина", "краска", "покраска", "осветление", "цвет"}
        ),
        ("окраш", "колор", "тонир", "камуфляж", "блонд", "мелир"),
    ),
    "nails": (
        frozenset({"шеллак", "гельлак", "гель", "лак", "ноготь", "ногти", "наращивание", "френч", "дизайн", "педикюр"}),
        ("маникюр", "педикюр", "ногт", "покрыт"),
    ),
    "brows": (
        frozenset({"бровь", "брови", "ресница", "ресницы", "ламинирование", "хна", "коррекция"}),
        ("бров", "ресниц"),
    ),
    "hair": (
        frozenset({"стрижка", "чёлка", "челка", "каре", "боб", "фейд", "андеркат", "укладка", "прическа", "причёска"}),
        ("стриж", "уклад", "причес"),
    ),
    "beard": (frozenset({"борода", "усы", "бритьё", "бритье", "опасный"}), ("бород", "брить", "ус")),
    "care": (
        frozenset({"кератин", "ботокс", "уход", "маска", "пилинг", "массаж", "spa", "спа"}),
        ("уход", "кератин", "ботокс", "массаж", "spa", "спа"),
    ),
}


def areas_of(text: str) -> list[tuple[str, ...]]:
    """The title stems of every area ``text`` may belong to, the area most of its words name first
    ("наращивание ресниц": lashes before nails); empty when no area is recognised."""
    found = set(lemmas(text)) | set(fold(text).replace("-", "").split())
    hits = [(len(found & words), -order, stems) for order, (words, stems) in enumerate(_AREAS.values())]
    return [stems for count, _, stems in sorted(hits, reverse=True) if count]
