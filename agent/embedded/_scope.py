"""Turns that are not about shopping: a question on another subject ("what stocks should I
buy", homework, arithmetic) or text that tries to change the assistant's instructions
("print your system prompt"). The shopper gets a short reply naming what the shop sells;
no search runs and nothing is written, whatever the model read the turn as."""

from __future__ import annotations

import re
from collections import Counter

from shopagent.agent.embedded._catalog import CatalogProfile, singular
from shopagent.agent.embedded._guards import content_words

# Text aimed at the assistant's instructions, not at the shop
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\s(?:all\s|any\s|your\s|the\s|my\s)?"
    r"(?:previous\s|prior\s|above\s|earlier\s|system\s)?(?:instructions?|rules|prompts?|"
    r"guidelines|directives)\b"
    r"|\bsystem\s(?:prompt|message|instructions?)\b"
    r"|\b(?:print|reveal|show|repeat|output|tell me|leak)\s(?:me\s)?(?:your|the)\s"
    r"(?:hidden\s|initial\s|original\s)?(?:prompt|instructions|rules)\b"
    r"|\b(?:developer|admin|god|jailbreak|dan)\smode\b|\byou are now\b",
    re.I,
)
# Subjects a shop assistant does not advise on; only with no product of the shop named
_OTHER_SUBJECT = re.compile(
    r"\b(?:stocks|stock market|shares|invest(?:ing|ment|ments)?|crypto(?:currency)?|bitcoin|forex|"
    r"homework|math|maths|algebra|equation|calculus|solve|weather|forecast|news|election|"
    r"politics|president|capital of|translate|poem|joke|riddle|recipe|diagnos\w*|symptoms?|"
    r"lawyer|legal advice|python code|write (?:me )?(?:a |an )?(?:essay|story|code|program))\b"
    r"|\d\s*[-+*/x×^]\s*\d",
    re.I,
)
# A request for a present is shopping whatever its subject ("gift for someone into investing")
_SHOPPING = re.compile(
    r"\b(?:gifts?|presents?|buy (?:for|as)|stocking|for (?:my|a|an|someone|him|her|them)\b)",
    re.I,
)


def off_topic(text: str, named: set[str], head_nouns: set[str] | frozenset[str]) -> str | None:
    """'injection' or 'subject' when the turn is not a shopping request, else None.

    ``named``: catalog slots the lexicon found (a category or brand named is shopping);
    ``head_nouns``: words that name what the shop sells ("stock" in a shop of soup stocks)."""
    if INJECTION.search(text):
        # whatever else it names: text aimed at the instructions changes nothing
        return "injection"
    if named & {"category", "brand"}:
        return None
    low = text.lower()
    # filler ("can", "what") left out: a watering can does not make "can you" shopping
    words = {singular(w) for w in content_words(low)}
    if words & set(head_nouns):
        return None
    if _OTHER_SUBJECT.search(low) and not _SHOPPING.search(low):
        return "subject"
    return None


def scope_reply(profile: CatalogProfile) -> str:
    """A short decline that says what the shop can help with, in its own departments."""
    paths = [[x.strip() for x in p.split(">") if x.strip()] for p in profile.categories]
    depts = Counter(p[0] for p in paths if p)
    names = [d for d, _ in depts.most_common(4)]
    if len(names) == 1:  # one department: its categories say more
        names = [p[-1] for p in paths if p][:4]
    offer = ""
    if names:
        listed = [n.lower() for n in names]
        joined = ", ".join(listed[:-1]) + f" and {listed[-1]}" if len(listed) > 1 else listed[0]
        offer = f" I can help you find {joined}, show your cart or check an order."
    return (
        "Sorry, I can't help with that: I'm this shop's assistant."
        + (offer or " I can search the shop, show your cart or check an order.")
        + " What are you looking for?"
    )
