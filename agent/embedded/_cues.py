"""Word cues the embedded tier reads turns by: units after numbers, removal quantities,
requests for products, and questions about a product. Regular expressions: closed forms
that a learned tagger would only blur."""

from __future__ import annotations

import re

# A number followed by a unit is a measure, not a size ("10 inches", "10 hours", "7-inch").
# Single letters are left out: "size 9 w" or "42 in black" are sizes.
NOT_A_SIZE_AFTER = re.compile(
    r"\s*(?:-\s*)?(?:years?|yrs?|y/?o|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|"
    r"pieces?|pcs|packs?|kg|grams?|lbs?|pounds?|oz|ml|lit(?:er|re)s?|ft|feet|foot|"
    r"inch(?:es)?|cm|mm|meters?|metres?|\"|''|gb|tb|mb|mah|watts?|volts?|hz|"
    r"mp|%|people|persons?|seats?|cups?|quarts?|qt|gal(?:lons?)?|ports?|keys?)(?![\w])"
)
# Slots checked against the category in play. Sizes are a category's structure (every
# tee has S-XL, every ring 5-9), so the training sample shows them all; colours and
# materials vary product by product, and a sample could miss one, so they are only
# checked to exist in the catalog (the lexicon maps to the catalog's values only).
OPTION_SLOTS = ("size",)
REMOVE_QTY = re.compile(
    r"\b(?:remove|take|delete|drop|minus|lose|get rid of|only want)\s(one|a|\d{1,2})\s"
    r"(?:of\b|from\b|out\b|less\b|pair\b|items?\b)"
)
# A turn that asks for products (in a search already going, "show me umbrellas" is new)
ASKS_FOR = re.compile(
    r"\s*(?:(?:hi|hey|hello|ok|okay|so|and|also|now)\W+)?(?:(?:can you |could you |please )?"
    r"(?:show|find|search)|(?:i'?m )?looking for|look for|(?:i |we )?(?:want|need)|"
    r"(?:do )?(?:you |u )?(?:guys )?(?:have|sell|carry|stock)|(?:have you |you )?got|any)\b",
    re.I,
)
# "where can I find a baby stroller", "where i can buy X in this shop": a request for a
# product, though it starts like a question
WHERE_TO_FIND = re.compile(
    r"\s*(?:(?:hi|hey|hello|ok|okay|so)\W+)?where\s(?:can|could|do|would)?\s?i\s(?:can\s)?"
    r"(?:find|get|buy|see)\b",
    re.I,
)
# Whether a product is in stock: "is the <title> in stock", "do you still have the <title>",
# "can you say me if the <title> have stock" (a question, though "have"/"stock" also ask
# the shop for products)
STOCK_QUESTION = re.compile(
    r"\b(?:in stock|(?:has|have|got) (?:any )?stock|still (?:have|got|sell|carry|stock|"
    r"available|in stock)|(?:is|are) (?:it |they |this |that )?(?:still )?available|"
    r"sold out|out of stock|any left)\b",
    re.I,
)
# A question about the product a title names ("what's the <title> made of?")
QUESTION_ABOUT = re.compile(
    r"\?|\b(?:what|how|who|which|is|are|does|do|can|tell me|made of|warranty|material|"
    r"in stock|available|price|cost|dimensions|size|weigh)\b",
    re.I,
)
# A question about a product's facts ("and the price?", "is it waterproof?")
QUESTION = re.compile(
    r"\?\s*$|^\s*(?:and\s|what about\s|how about\s)?(?:is|are|does|do|can|will|has|have|"
    r"how much|how many|what(?:'s| is)? the (?:price|material|size|weight|colou?r)|price|"
    r"in stock|available)\b",
    re.I,
)
# A yes/no or what-question about the product in play ("is that real silver?", "will it
# keep my water cold?", "how big is it", "what's it made of")
ABOUT_IT = re.compile(
    r"^\s*(?:(?:ok|okay|and|so|hmm+|also|but|oh)\W+)?(?:is|are|does|do|did|will|would|can|could|"
    r"has|have)\s(?:it|that|this|they|those|these|the (?:first|second|third|last|\w+ one))\b"
    # "do u have it in espresso?", "have you got that in a 50ml?"
    r"|^\s*(?:(?:ok|okay|and|so|hmm+|also|but|oh)\W+)?(?:do|have|did) (?:you|u|ya) (?:have|got|"
    r"do|stock|sell|make) (?:it|that|this|them|those|these)\b"
    r"|^\s*(?:(?:ok|okay|and|so|also)\W+)?(?:what(?:'s| is| are)|how)\s(?:it|that|this|they|"
    r"those|these)\b"
    r"|^\s*(?:(?:ok|okay|and|so|also)\W+)?how (?:big|heavy|long|tall|wide|many|much|large)\b"
    r"|^\s*(?:(?:ok|okay|and|so|also)\W+)?what (?:sizes?|colou?rs?|materials?|capacity)\b"
    # "what age is it for", "which size is that": a question of the product meant
    r"|^\s*(?:(?:ok|okay|and|so|also)\W+)?(?:what|which)\s(?:\w+\s){1,3}(?:is|are|does|do)\s"
    r"(?:it|they|that|this)\b",
    re.I,
)
# "make it 3", "actually make that 2": the cart line's quantity, set
SET_QUANTITY = re.compile(
    r"\b(?:make|change|set|update|increase|decrease|bump|drop)\s(?:it|that|them|those|this|"
    r"the quantity|the qty|mine)?\s?(?:to\s)?(\d{1,2})\b(?!\s?(?:%|off|dollars|bucks))",
    re.I,
)
# Removal words: with a cart line named, a removal whatever the model read
REMOVE_CUE = re.compile(
    r"\b(?:remove|delete|take\s(?:\w+\s){0,4}out|get rid of|drop\s(?:the|that|those))\b", re.I
)
# A product type after these is what the product is for, not what it is
# ("cushions for the sofa", "a case to go with the phone")
FOR_USE = re.compile(
    r"\b(?:for|with|to match|matching|goes with|go with)\s(?:the|my|a|an|our)?\s?$"
)
# Between two product types, words that make the second qualify the first ("power bank
# that can charge a laptop", "stand for a monitor"); adjacent ones are a compound whose
# last word is the product ("laptop stand").
QUALIFIER = re.compile(
    r"\b(?:that|which|who|for|with|without|to|from|fits?|fitting|compatible|like|of|on|"
    r"into|by|near|under|over|holds?|holding|charges?|charging)\b"
)
# A short turn with none of these reads as a product name ("HEPA air purifier", "blendr")
CHAT_WORDS = re.compile(
    r"\b(?:what|how|why|who|when|where|which|tell|write|give|joke|weather|you|u|me|i|is|are|"
    r"can|could|would|should|will|do|does|please|thanks|thank|hi|hello|hey|bye|help|human|"
    r"agent|person|order|orders|cart|basket|checkout|pay|cancel|return|refund|yes|no|ok|okay|"
    r"recommend|suggest|good|morning|evening|night|movie|film|song|music|recipe|story|poem|"
    r"news|time|date|today|tomorrow|weather|my|your|the|a|an)\b",
    re.I,
)
PLURAL = re.compile(r"\b(?:they|them|those|these|any of)\b", re.I)
# Questions that start like these are not requests for products unless they also ask for one
OFF_TOPIC_START = re.compile(
    r"^\s*(?:(?:ok|so|come on|hey)\W+)?(?!(?:what|how) about\b)"  # "what about X": asks for X
    r"(?:what|how|why|who|when|where|give|tell|write|help|"
    r"can you help|explain|just|please just|answer)\b",
    re.I,
)
# "another one of those", "one more": the same product again
ANOTHER = re.compile(
    r"\b(?:another (?:one|pair|of (?:those|these|them|it|that))|one more|same again|"
    r"(?:a|one) (?:second|extra) one)\b",
    re.I,
)
