"""General shopping English the lexicon maps onto a catalog's facets. A target applies only
where the catalog has it; candidates are tried in order ("navy" -> navy, else blue)."""

from __future__ import annotations

# fmt: off
COLOR_FAMILIES: dict[str, tuple[str, ...]] = {
    "navy": ("navy", "blue"), "navy blue": ("navy", "blue"), "cobalt": ("blue",),
    "royal blue": ("blue",), "sky blue": ("blue",), "light blue": ("blue",),
    "denim blue": ("blue",), "teal": ("teal", "blue", "green"), "turquoise": ("blue", "green"),
    "maroon": ("red",), "burgundy": ("red",), "wine": ("red",), "crimson": ("red",),
    "scarlet": ("red",), "cherry": ("red",), "grey": ("gray", "grey"), "gray": ("gray", "grey"),
    "charcoal": ("gray", "grey", "black"), "tan": ("brown", "beige"), "camel": ("brown", "beige"),
    "chocolate": ("brown",), "khaki": ("beige", "brown", "green"), "cream": ("beige", "white"),
    "ivory": ("white", "beige"), "off white": ("white", "beige"), "off-white": ("white", "beige"),
    "nude": ("beige",), "sand": ("beige",), "taupe": ("beige", "brown"), "olive": ("green",),
    "sage": ("green",), "mint": ("green",), "emerald": ("green",), "forest green": ("green",),
    "lilac": ("purple",), "lavender": ("purple",), "violet": ("purple",), "plum": ("purple",),
    "mustard": ("yellow",), "lemon": ("yellow",), "blush": ("pink",), "rose": ("pink",),
    "fuchsia": ("pink",), "hot pink": ("pink",), "coral": ("orange", "pink"),
    "peach": ("orange", "pink"), "rust": ("orange", "brown"), "golden": ("gold", "yellow"),
    "jet black": ("black",), "ebony": ("black",), "snow white": ("white",),
}
SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "extra small": ("XS",), "x-small": ("XS",), "xsmall": ("XS",), "xs": ("XS",),
    "small": ("S",), "sm": ("S",), "s": ("S",), "medium": ("M",), "med": ("M",), "m": ("M",),
    "large": ("L",), "lg": ("L",), "l": ("L",), "extra large": ("XL",), "x-large": ("XL",),
    "xlarge": ("XL",), "xl": ("XL",), "xxl": ("XXL",), "2xl": ("XXL",), "xx-large": ("XXL",),
    "double xl": ("XXL",), "extra extra large": ("XXL",), "one size": ("one size",),
}
_WOMEN = ("women", "woman", "womens", "women's", "ladies", "lady", "female", "her", "wife",
          "girlfriend", "mom", "mum", "mother", "sister", "grandma", "aunt")
_MEN = ("men", "man", "mens", "men's", "guys", "guy", "male", "him", "husband", "boyfriend",
        "dad", "father", "brother", "grandpa", "uncle", "gents")
_KIDS = ("kids", "kid", "kids'", "children", "child", "childrens", "boys", "boy", "girls",
         "girl", "toddler", "toddlers", "baby", "son", "daughter", "year old", "teen", "teens",
         "junior")
AUDIENCE_WORDS: dict[str, tuple[str, ...]] = {
    **{w: ("women",) for w in _WOMEN}, **{w: ("men",) for w in _MEN},
    **{w: ("kids",) for w in _KIDS}, "unisex": ("unisex",),
}
STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "bohemian": ("boho",), "boho chic": ("boho",), "hippie": ("boho",), "athletic": ("sporty",),
    "sport": ("sporty",), "sports": ("sporty",), "gym": ("sporty",), "workout": ("sporty",),
    "dressy": ("formal", "elegant"), "smart": ("formal",), "business": ("formal",),
    "retro": ("vintage",), "old school": ("vintage",), "classy": ("elegant", "classic"),
    "chic": ("elegant",), "minimal": ("minimalist",), "simple": ("minimalist",),
    "everyday": ("casual",), "relaxed": ("casual",), "laid back": ("casual",),
    "contemporary": ("modern",), "sleek": ("modern",), "farmhouse": ("rustic",),
    "timeless": ("classic",),
}
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "tee": ("t-shirts",), "tees": ("t-shirts",), "tshirt": ("t-shirts",),
    "tshirts": ("t-shirts",), "t shirt": ("t-shirts",), "t shirts": ("t-shirts",),
    "trainers": ("sneakers",), "kicks": ("sneakers",), "running shoes": ("sneakers",),
    "tennis shoes": ("sneakers",), "runners": ("sneakers",), "jumper": ("sweaters",),
    "jumpers": ("sweaters",), "pullover": ("sweaters", "hoodies"), "knitwear": ("sweaters",),
    "purse": ("handbags",), "purses": ("handbags",), "coat": ("coats", "jackets"),
    "coats": ("coats", "jackets"), "raincoat": ("coats", "jackets"),
    "flip flops": ("sandals",), "flip-flops": ("sandals",), "slides": ("sandals",),
    "pumps": ("heels",), "stilettos": ("heels",), "hoody": ("hoodies",),
    "sweatshirt": ("hoodies", "sweaters"), "couch": ("sofas",), "pan": ("cookware",),
    "pans": ("cookware",), "pots": ("cookware",), "earphones": ("headphones",),
    "rucksack": ("backpacks",), "teddy": ("plush toys",), "stuffed animal": ("plush toys",),
    "perfume": ("perfumes",), "fragrance": ("perfumes",), "cologne": ("perfumes",),
    "lipstick": ("lipsticks",), "pillow": ("cushions",), "pillows": ("cushions",),
    "carpet": ("rugs",), "plant pot": ("planters",),
    "sci fi": ("science fiction", "sci-fi"), "scifi": ("science fiction", "sci-fi"),
    "sci-fi": ("science fiction",), "kids books": ("children's books", "kids' books"),
    "kids book": ("children's books", "kids' books"), "novels": ("fiction",),
}
BUILTIN: dict[str, dict[str, tuple[str, ...]]] = {
    "color": COLOR_FAMILIES, "size": SIZE_WORDS, "audience": AUDIENCE_WORDS,
    "style": STYLE_WORDS, "category": CATEGORY_WORDS,
}
# Surfaces too short or too common to trust without a cue word ("size m", "for him").
CUE_ONLY = {
    "s", "m", "l", "xs", "sm", "med", "lg", "her", "him", "man", "guy", "son", "sport",
    "simple", "smart", "sand", "rose", "wine", "cherry", "lemon", "kid", "anyone", "everyone",
    "one size", "business", "gym", "tee",
}
# Ambiguous surfaces resolve in this order ("gold" is a colour before it is a material).
TYPE_PRIORITY = ("category", "brand", "color", "size", "material", "style", "audience")
# Real words never read as typos of catalog words ("matches" is not "watches").
STOP = {
    "the", "a", "an", "and", "or", "for", "in", "on", "of", "to", "with", "me", "my", "show",
    "some", "any", "find", "please", "pls", "want", "need", "looking", "like", "more", "about",
    "what", "have", "got", "just", "only", "same", "but", "new", "one", "ones", "that", "this",
    "it", "can", "you", "do", "size", "color", "colour", "made", "normal", "stuff", "thing",
    "things", "something", "cheap", "nice", "matches", "match", "catches", "patches", "looks",
    "picture", "pictures", "photo", "these", "those", "there", "where", "rather", "other",
    "anything", "everything", "pairs", "three", "first", "second", "third", "fourth", "fifth",
    "items", "order", "orders", "cancel", "check", "cheaper", "pricier", "thanks",
    "price", "under", "between", "again", "delete", "remove", "describe", "close", "which",
    "better", "would", "could", "should", "still", "today", "sizes", "colors", "colours",
    "waist", "wedding", "party", "winter", "summer", "warm", "work", "gift", "gifts",
}
SIZE_CUES = {"size", "sz", "in", "a", "an", "only", "about"}
# Units of measure as shoppers write them, by the catalog's way: "1l", "1 litre", "1 ltr"
# are all the catalog's "1 l"; "32 gb" is "32GB". A value is matched with its unit in any
# of these spellings, joined to the number or not.
UNITS: dict[str, tuple[str, ...]] = {
    "l": ("l", "ltr", "ltrs", "lt", "litre", "litres", "liter", "liters"),
    "ml": ("ml", "mls", "millilitre", "millilitres", "milliliter", "milliliters"),
    "cl": ("cl", "centilitre", "centilitres", "centiliter", "centiliters"),
    "kg": ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"),
    "g": ("g", "gr", "grams", "gram"),
    "lb": ("lb", "lbs", "pound", "pounds"),
    "oz": ("oz", "ounce", "ounces"),
    "qt": ("qt", "quart", "quarts"),
    "gal": ("gal", "gallon", "gallons"),
    "mm": ("mm", "millimetre", "millimetres", "millimeter", "millimeters"),
    "cm": ("cm", "centimetre", "centimetres", "centimeter", "centimeters"),
    "m": ("m", "metre", "metres", "meter", "meters"),
    "in": ("in", "inch", "inches", '"', "''"),
    "ft": ("ft", "feet", "foot"),
    "gb": ("gb", "gig", "gigs", "gigabyte", "gigabytes"),
    "tb": ("tb", "terabyte", "terabytes"),
    "mb": ("mb", "megabyte", "megabytes"),
    "mah": ("mah",),
    "w": ("w", "watt", "watts"),
    "v": ("v", "volt", "volts"),
    "pieces": ("pieces", "piece", "pcs", "pc"),
    "person": ("person", "people", "persons", "man"),
    "seat": ("seat", "seats", "seater"),
    "pack": ("pack", "packs", "pk"),
}
UNIT_OF = {w: unit for unit, words in UNITS.items() for w in words}
AUDIENCE_CUES = {"for", "to", "my", "a", "his", "her"}
# fmt: on
