"""The demo catalog: a seeded, deterministic generator of realistic products.

Product ``i`` depends only on ``(seed, i)``, so a catalog of 300 is the first 300 of the
catalog of 5,000 — tests and the NLU trainer can rely on it. The vocabulary below
(``TAXONOMY``, ``COLORS``, ``SIZES_*``, ``BRANDS``, ``STYLES``, ``AUDIENCES``) is the
closed set of filter values the demo catalog uses.

    from shopagent.retrieval.demo import generate_products, TAXONOMY, vocabulary
    products = generate_products(n=300, seed=7)
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from shopagent.retrieval.schema import Product, Variant

# name -> RGB used by the image renderer; the catalog's colour vocabulary.
COLORS: dict[str, tuple[int, int, int]] = {
    "black": (25, 25, 28),
    "white": (245, 245, 242),
    "gray": (128, 128, 132),
    "navy": (24, 36, 82),
    "blue": (40, 110, 215),
    "red": (200, 30, 40),
    "green": (40, 140, 70),
    "beige": (222, 200, 160),
    "brown": (110, 70, 40),
    "pink": (240, 140, 180),
    "yellow": (245, 205, 40),
    "orange": (240, 130, 30),
    "purple": (120, 60, 160),
    "silver": (192, 194, 200),
    "gold": (212, 170, 60),
}

SIZES_APPAREL = ["XS", "S", "M", "L", "XL", "XXL"]
SIZES_SHOES = [str(s) for s in range(36, 47)]
SIZES_RINGS = ["5", "6", "7", "8", "9"]
ONE_SIZE = "one size"
AUDIENCES = ["women", "men", "kids", "unisex"]
STYLES = [
    "casual",
    "formal",
    "sporty",
    "vintage",
    "minimalist",
    "boho",
    "classic",
    "modern",
    "rustic",
    "elegant",
]


@dataclass(frozen=True)
class Leaf:
    """A leaf category: the words shoppers use, and how its products look and vary."""

    top: str
    name: str  # plural, as shoppers say it: "Dresses"
    nouns: tuple[str, ...]  # singular product nouns used in titles
    shape: str  # silhouette drawn by retrieval._render
    price: tuple[float, float]
    materials: tuple[str, ...]
    colors: tuple[str, ...]
    sizes: tuple[str, ...] = (ONE_SIZE,)
    audiences: tuple[str, ...] = ("unisex",)
    styles: tuple[str, ...] = ("casual", "classic", "modern", "minimalist")

    @property
    def path(self) -> str:
        return f"{self.top} > {self.name}"


_WARDROBE = (
    "black",
    "white",
    "gray",
    "navy",
    "blue",
    "red",
    "green",
    "beige",
    "brown",
    "pink",
    "yellow",
    "purple",
)
_NEUTRAL = ("black", "white", "gray", "beige", "brown", "navy")
_METAL = ("silver", "gold")
_GADGET = ("black", "white", "gray", "silver", "blue", "red")
_BRIGHT = ("red", "blue", "green", "yellow", "orange", "pink", "purple")
_WA = ("women",)
_ADULT = ("women", "men", "unisex")
_ALL = ("women", "men", "kids", "unisex")
_APP = tuple(SIZES_APPAREL)
_SHOE = tuple(SIZES_SHOES)
_FASHION = ("casual", "formal", "vintage", "boho", "classic", "elegant", "minimalist", "sporty")
_HOME = ("modern", "rustic", "vintage", "minimalist", "boho", "classic")

LEAVES: tuple[Leaf, ...] = (
    Leaf(
        "Apparel",
        "Dresses",
        ("Midi Dress", "Maxi Dress", "Wrap Dress", "Slip Dress", "Shirt Dress"),
        "dress",
        (25, 180),
        ("cotton", "linen", "silk", "polyester", "viscose"),
        _WARDROBE,
        _APP,
        _WA,
        _FASHION,
    ),
    Leaf(
        "Apparel",
        "T-Shirts",
        ("Crew Neck T-Shirt", "V-Neck Tee", "Graphic Tee", "Pocket Tee"),
        "tshirt",
        (9, 45),
        ("cotton", "organic cotton", "polyester"),
        _WARDROBE,
        _APP,
        _ALL,
        ("casual", "sporty", "minimalist", "vintage"),
    ),
    Leaf(
        "Apparel",
        "Shirts",
        ("Oxford Shirt", "Linen Shirt", "Flannel Shirt", "Poplin Shirt"),
        "tshirt",
        (25, 95),
        ("cotton", "linen", "flannel"),
        _WARDROBE,
        _APP,
        _ADULT,
        _FASHION,
    ),
    Leaf(
        "Apparel",
        "Jeans",
        ("Slim Jeans", "Straight Jeans", "Wide-Leg Jeans", "Bootcut Jeans"),
        "trousers",
        (35, 140),
        ("denim",),
        ("blue", "navy", "black", "gray", "white"),
        _APP,
        _ALL,
        ("casual", "vintage", "classic"),
    ),
    Leaf(
        "Apparel",
        "Jackets",
        ("Bomber Jacket", "Denim Jacket", "Rain Jacket", "Puffer Jacket", "Leather Jacket"),
        "jacket",
        (50, 320),
        ("leather", "denim", "nylon", "wool", "polyester"),
        _WARDROBE,
        _APP,
        _ALL,
        _FASHION,
    ),
    Leaf(
        "Apparel",
        "Sweaters",
        ("Crew Sweater", "Cardigan", "Turtleneck", "Cable-Knit Sweater"),
        "jacket",
        (30, 160),
        ("wool", "cashmere", "cotton", "merino wool"),
        _WARDROBE,
        _APP,
        _ALL,
        ("casual", "classic", "vintage", "minimalist"),
    ),
    Leaf(
        "Apparel",
        "Skirts",
        ("Pleated Skirt", "Mini Skirt", "Midi Skirt", "A-Line Skirt"),
        "skirt",
        (20, 110),
        ("cotton", "linen", "denim", "silk", "polyester"),
        _WARDROBE,
        _APP,
        _WA,
        _FASHION,
    ),
    Leaf(
        "Apparel",
        "Hoodies",
        ("Pullover Hoodie", "Zip Hoodie", "Fleece Hoodie"),
        "jacket",
        (25, 90),
        ("cotton", "fleece", "polyester"),
        _WARDROBE,
        _APP,
        _ALL,
        ("casual", "sporty", "minimalist"),
    ),
    Leaf(
        "Shoes",
        "Sneakers",
        ("Running Sneaker", "Low-Top Sneaker", "High-Top Sneaker", "Trainer"),
        "sneaker",
        (45, 180),
        ("mesh", "leather", "canvas", "suede"),
        _WARDROBE,
        _SHOE,
        _ALL,
        ("casual", "sporty", "minimalist", "vintage"),
    ),
    Leaf(
        "Shoes",
        "Boots",
        ("Chelsea Boot", "Ankle Boot", "Hiking Boot", "Combat Boot"),
        "boot",
        (70, 260),
        ("leather", "suede", "rubber"),
        ("black", "brown", "beige", "gray", "navy"),
        _SHOE,
        _ADULT,
        ("classic", "rustic", "casual", "vintage"),
    ),
    Leaf(
        "Shoes",
        "Sandals",
        ("Slide Sandal", "Strappy Sandal", "Sport Sandal"),
        "sandal",
        (20, 120),
        ("leather", "rubber", "suede"),
        _WARDROBE,
        _SHOE,
        _ALL,
        ("casual", "boho", "minimalist"),
    ),
    Leaf(
        "Shoes",
        "Heels",
        ("Stiletto Heel", "Block Heel", "Pump", "Slingback"),
        "heel",
        (45, 220),
        ("leather", "suede", "satin"),
        ("black", "red", "beige", "pink", "gold", "silver", "white"),
        _SHOE,
        _WA,
        ("formal", "elegant", "classic", "vintage"),
    ),
    Leaf(
        "Shoes",
        "Loafers",
        ("Penny Loafer", "Tassel Loafer", "Driving Loafer"),
        "sneaker",
        (60, 200),
        ("leather", "suede"),
        ("black", "brown", "beige", "navy"),
        _SHOE,
        _ADULT,
        ("classic", "formal", "elegant"),
    ),
    Leaf(
        "Bags",
        "Backpacks",
        ("Backpack", "Laptop Backpack", "Rolltop Backpack", "Daypack"),
        "backpack",
        (30, 180),
        ("nylon", "canvas", "leather", "polyester"),
        _WARDROBE,
        (ONE_SIZE,),
        _ALL,
        ("casual", "sporty", "minimalist", "modern"),
    ),
    Leaf(
        "Bags",
        "Handbags",
        ("Shoulder Bag", "Crossbody Bag", "Top-Handle Bag", "Clutch"),
        "bag",
        (40, 400),
        ("leather", "suede", "canvas", "vegan leather"),
        _WARDROBE,
        (ONE_SIZE,),
        _WA,
        _FASHION,
    ),
    Leaf(
        "Bags",
        "Tote Bags",
        ("Tote Bag", "Shopper Tote", "Canvas Tote"),
        "tote",
        (15, 140),
        ("canvas", "cotton", "leather", "jute"),
        _WARDROBE,
        (ONE_SIZE,),
        ("women", "unisex"),
        ("casual", "boho", "minimalist"),
    ),
    Leaf(
        "Bags",
        "Wallets",
        ("Bifold Wallet", "Card Holder", "Zip Wallet"),
        "wallet",
        (15, 120),
        ("leather", "vegan leather", "canvas"),
        _NEUTRAL,
        (ONE_SIZE,),
        _ADULT,
        ("classic", "minimalist", "modern"),
    ),
    Leaf(
        "Jewelry",
        "Rings",
        ("Band Ring", "Signet Ring", "Stacking Ring", "Solitaire Ring"),
        "ring",
        (20, 600),
        ("sterling silver", "gold", "stainless steel", "platinum"),
        _METAL,
        tuple(SIZES_RINGS),
        _ADULT,
        ("classic", "minimalist", "elegant", "vintage"),
    ),
    Leaf(
        "Jewelry",
        "Necklaces",
        ("Pendant Necklace", "Chain Necklace", "Choker", "Locket Necklace"),
        "necklace",
        (25, 500),
        ("sterling silver", "gold", "stainless steel"),
        _METAL,
        (ONE_SIZE,),
        _ADULT,
        ("classic", "minimalist", "elegant", "boho"),
    ),
    Leaf(
        "Jewelry",
        "Earrings",
        ("Hoop Earrings", "Stud Earrings", "Drop Earrings"),
        "earring",
        (15, 350),
        ("sterling silver", "gold", "stainless steel"),
        _METAL,
        (ONE_SIZE,),
        _WA,
        ("classic", "minimalist", "elegant", "boho"),
    ),
    Leaf(
        "Jewelry",
        "Bracelets",
        ("Cuff Bracelet", "Chain Bracelet", "Bangle", "Beaded Bracelet"),
        "ring",
        (15, 300),
        ("sterling silver", "gold", "leather", "stainless steel"),
        _METAL,
        (ONE_SIZE,),
        _ALL,
        ("classic", "boho", "minimalist"),
    ),
    Leaf(
        "Jewelry",
        "Watches",
        ("Chronograph Watch", "Dress Watch", "Field Watch", "Diver Watch"),
        "watch",
        (60, 900),
        ("stainless steel", "leather", "titanium"),
        ("black", "silver", "gold", "brown", "navy"),
        (ONE_SIZE,),
        _ADULT,
        ("classic", "sporty", "elegant", "minimalist"),
    ),
    Leaf(
        "Home Decor",
        "Lamps",
        ("Table Lamp", "Floor Lamp", "Desk Lamp", "Pendant Lamp"),
        "lamp",
        (25, 260),
        ("ceramic", "metal", "glass", "rattan", "wood"),
        _WARDROBE,
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Home Decor",
        "Vases",
        ("Bud Vase", "Floor Vase", "Bottle Vase"),
        "vase",
        (12, 140),
        ("ceramic", "glass", "stoneware"),
        _WARDROBE,
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Home Decor",
        "Rugs",
        ("Area Rug", "Runner Rug", "Shag Rug", "Kilim Rug"),
        "rug",
        (40, 600),
        ("wool", "cotton", "jute", "polyester"),
        _WARDROBE,
        ("2x3 ft", "5x8 ft", "8x10 ft"),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Home Decor",
        "Cushions",
        ("Throw Pillow", "Cushion Cover", "Floor Cushion"),
        "cushion",
        (12, 80),
        ("cotton", "linen", "velvet", "wool"),
        _WARDROBE,
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Home Decor",
        "Mirrors",
        ("Round Mirror", "Wall Mirror", "Floor Mirror"),
        "mirror",
        (30, 350),
        ("metal", "wood", "rattan"),
        ("black", "gold", "silver", "brown", "white"),
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Furniture",
        "Sofas",
        ("Sofa", "Loveseat", "Sectional Sofa", "Sleeper Sofa"),
        "sofa",
        (400, 2500),
        ("velvet", "linen", "leather", "boucle"),
        ("gray", "beige", "navy", "green", "brown", "black", "pink", "blue"),
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Furniture",
        "Chairs",
        ("Armchair", "Dining Chair", "Accent Chair", "Office Chair"),
        "chair",
        (60, 700),
        ("wood", "velvet", "leather", "rattan", "metal"),
        _WARDROBE,
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Furniture",
        "Tables",
        ("Coffee Table", "Dining Table", "Side Table", "Console Table"),
        "table",
        (80, 1500),
        ("wood", "oak", "walnut", "marble", "metal", "glass"),
        ("brown", "black", "white", "beige", "gray"),
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Furniture",
        "Desks",
        ("Writing Desk", "Standing Desk", "Computer Desk"),
        "table",
        (120, 900),
        ("wood", "oak", "metal"),
        ("brown", "black", "white", "gray"),
        (ONE_SIZE,),
        ("unisex",),
        ("modern", "minimalist", "rustic", "classic"),
    ),
    Leaf(
        "Furniture",
        "Bookshelves",
        ("Bookshelf", "Ladder Shelf", "Cube Shelf"),
        "shelf",
        (70, 600),
        ("wood", "oak", "metal"),
        ("brown", "black", "white", "beige"),
        (ONE_SIZE,),
        ("unisex",),
        _HOME,
    ),
    Leaf(
        "Kitchen",
        "Mugs",
        ("Coffee Mug", "Travel Mug", "Espresso Cup"),
        "mug",
        (8, 40),
        ("ceramic", "stoneware", "stainless steel", "glass"),
        _WARDROBE,
        (ONE_SIZE,),
        ("unisex",),
        ("modern", "rustic", "minimalist", "vintage"),
    ),
    Leaf(
        "Kitchen",
        "Cookware",
        ("Frying Pan", "Saucepan", "Dutch Oven", "Wok"),
        "pan",
        (25, 350),
        ("cast iron", "stainless steel", "nonstick aluminum", "copper"),
        ("black", "silver", "red", "blue", "green", "orange"),
        (ONE_SIZE,),
        ("unisex",),
        ("classic", "modern"),
    ),
    Leaf(
        "Kitchen",
        "Kettles",
        ("Electric Kettle", "Stovetop Kettle", "Gooseneck Kettle"),
        "kettle",
        (20, 180),
        ("stainless steel", "glass", "enamel"),
        _GADGET,
        (ONE_SIZE,),
        ("unisex",),
        ("modern", "vintage", "minimalist"),
    ),
    Leaf(
        "Kitchen",
        "Knives",
        ("Chef's Knife", "Santoku Knife", "Paring Knife", "Knife Set"),
        "knife",
        (15, 300),
        ("stainless steel", "carbon steel", "damascus steel"),
        ("black", "silver", "brown"),
        (ONE_SIZE,),
        ("unisex",),
        ("classic", "modern"),
    ),
    Leaf(
        "Electronics",
        "Headphones",
        ("Wireless Headphones", "Noise-Cancelling Headphones", "Over-Ear Headphones", "Earbuds"),
        "headphones",
        (25, 450),
        ("plastic", "aluminum"),
        _GADGET,
        (ONE_SIZE,),
        ("unisex",),
        ("modern", "sporty", "minimalist"),
    ),
    Leaf(
        "Electronics",
        "Speakers",
        ("Bluetooth Speaker", "Smart Speaker", "Bookshelf Speaker"),
        "speaker",
        (30, 500),
        ("plastic", "aluminum", "fabric"),
        _GADGET,
        (ONE_SIZE,),
        ("unisex",),
        ("modern", "minimalist", "sporty"),
    ),
    Leaf(
        "Electronics",
        "Smartwatches",
        ("Smartwatch", "Fitness Tracker", "GPS Watch"),
        "watch",
        (50, 600),
        ("aluminum", "stainless steel", "silicone"),
        _GADGET,
        (ONE_SIZE,),
        ("unisex",),
        ("sporty", "modern", "minimalist"),
    ),
    Leaf(
        "Electronics",
        "Keyboards",
        ("Mechanical Keyboard", "Wireless Keyboard", "Compact Keyboard"),
        "keyboard",
        (25, 250),
        ("plastic", "aluminum"),
        _GADGET,
        (ONE_SIZE,),
        ("unisex",),
        ("modern", "minimalist"),
    ),
    Leaf(
        "Beauty",
        "Lipsticks",
        ("Matte Lipstick", "Satin Lipstick", "Lip Tint"),
        "lipstick",
        (8, 45),
        ("wax",),
        ("red", "pink", "purple", "brown", "orange", "beige"),
        (ONE_SIZE,),
        _WA,
        ("classic", "elegant", "modern"),
    ),
    Leaf(
        "Beauty",
        "Perfumes",
        ("Eau de Parfum", "Eau de Toilette", "Body Mist"),
        "perfume",
        (20, 220),
        ("glass",),
        ("pink", "gold", "purple", "blue", "black", "white"),
        ("30 ml", "50 ml", "100 ml"),
        _ADULT,
        ("elegant", "classic", "modern"),
    ),
    Leaf(
        "Beauty",
        "Skincare",
        ("Moisturizer", "Face Serum", "Cleanser", "Night Cream"),
        "jar",
        (10, 120),
        ("glass", "plastic"),
        ("white", "pink", "green", "beige", "blue"),
        ("30 ml", "50 ml", "100 ml"),
        _ADULT,
        ("minimalist", "classic"),
    ),
    Leaf(
        "Sports",
        "Yoga Mats",
        ("Yoga Mat", "Travel Yoga Mat", "Cork Yoga Mat"),
        "mat",
        (18, 120),
        ("rubber", "cork", "TPE"),
        _BRIGHT + ("black", "gray"),
        (ONE_SIZE,),
        ("unisex",),
        ("sporty", "minimalist"),
    ),
    Leaf(
        "Sports",
        "Water Bottles",
        ("Water Bottle", "Insulated Bottle", "Sports Bottle"),
        "bottle",
        (10, 50),
        ("stainless steel", "plastic", "glass"),
        _WARDROBE,
        ("500 ml", "750 ml", "1 l"),
        ("unisex",),
        ("sporty", "minimalist", "modern"),
    ),
    Leaf(
        "Sports",
        "Dumbbells",
        ("Dumbbell Pair", "Adjustable Dumbbell", "Kettlebell"),
        "dumbbell",
        (20, 400),
        ("cast iron", "rubber", "neoprene"),
        ("black", "gray", "red", "blue", "pink"),
        ("2 kg", "5 kg", "10 kg"),
        ("unisex",),
        ("sporty",),
    ),
    Leaf(
        "Sports",
        "Tennis Rackets",
        ("Tennis Racket", "Junior Racket", "Pro Racket"),
        "racket",
        (30, 280),
        ("graphite", "aluminum"),
        ("black", "white", "blue", "red", "yellow", "green"),
        (ONE_SIZE,),
        _ALL,
        ("sporty",),
    ),
    Leaf(
        "Toys",
        "Plush Toys",
        ("Teddy Bear", "Plush Bunny", "Plush Dinosaur"),
        "bear",
        (10, 60),
        ("plush", "cotton"),
        ("brown", "beige", "pink", "white", "gray", "blue"),
        (ONE_SIZE,),
        ("kids",),
        ("classic", "vintage"),
    ),
    Leaf(
        "Toys",
        "Building Blocks",
        ("Building Set", "Block Set", "Construction Kit"),
        "blocks",
        (15, 150),
        ("plastic", "wood"),
        _BRIGHT,
        (ONE_SIZE,),
        ("kids",),
        ("classic", "modern"),
    ),
    Leaf(
        "Toys",
        "Puzzles",
        ("Jigsaw Puzzle", "Floor Puzzle", "3D Puzzle"),
        "blocks",
        (10, 60),
        ("cardboard", "wood"),
        _BRIGHT,
        ("100 pieces", "500 pieces", "1000 pieces"),
        ("kids", "unisex"),
        ("classic",),
    ),
    Leaf(
        "Toys",
        "Toy Cars",
        ("Toy Car", "Remote Control Car", "Race Car Set"),
        "car",
        (8, 120),
        ("plastic", "metal", "wood"),
        _BRIGHT + ("black", "silver"),
        (ONE_SIZE,),
        ("kids",),
        ("classic", "sporty", "modern"),
    ),
    Leaf(
        "Garden",
        "Planters",
        ("Planter", "Hanging Planter", "Raised Planter"),
        "vase",
        (12, 200),
        ("terracotta", "ceramic", "concrete", "plastic"),
        ("white", "gray", "black", "beige", "brown", "green", "orange"),
        ("small", "medium", "large"),
        ("unisex",),
        ("modern", "rustic", "minimalist", "boho"),
    ),
    Leaf(
        "Garden",
        "Watering Cans",
        ("Watering Can", "Indoor Watering Can"),
        "kettle",
        (12, 60),
        ("metal", "plastic", "copper"),
        ("green", "silver", "gold", "black", "blue", "yellow"),
        (ONE_SIZE,),
        ("unisex",),
        ("vintage", "classic", "modern"),
    ),
    Leaf(
        "Garden",
        "Outdoor Chairs",
        ("Patio Chair", "Adirondack Chair", "Folding Chair", "Lounge Chair"),
        "chair",
        (40, 500),
        ("teak", "metal", "plastic", "rattan"),
        ("white", "black", "green", "brown", "gray", "blue"),
        (ONE_SIZE,),
        ("unisex",),
        ("modern", "rustic", "classic"),
    ),
    Leaf(
        "Garden",
        "Garden Tools",
        ("Hand Trowel", "Pruning Shears", "Garden Fork", "Rake"),
        "knife",
        (10, 90),
        ("stainless steel", "carbon steel", "wood"),
        ("green", "black", "red", "silver", "orange"),
        (ONE_SIZE,),
        ("unisex",),
        ("classic",),
    ),
)

BRANDS: dict[str, tuple[str, ...]] = {
    "Apparel": ("Nordvale", "Marlow & Finch", "Solenne", "Urbanthread", "Kiko Lane"),
    "Shoes": ("Stridewell", "Kestrel", "Pavo", "Rootstep", "Alder & Ash"),
    "Bags": ("Carryon Co", "Vellum", "Maison Ruel", "Packwell"),
    "Jewelry": ("Aurelia", "Lumen & Lace", "Orsay", "Tidestone"),
    "Home Decor": ("Hearthly", "Casa Lino", "Moss & Marrow", "Luxe Nook"),
    "Furniture": ("Oakhaven", "Fjordhus", "Ardent Living", "Bramble & Co"),
    "Kitchen": ("Copperleaf", "Panterra", "Brewly", "Kitchara"),
    "Electronics": ("Auron", "Voltix", "Sonique", "Nexa"),
    "Beauty": ("Belle Rue", "Petalia", "Lumina Skin", "Velour"),
    "Sports": ("Peakform", "Zenflex", "Courtline", "Ironwell"),
    "Toys": ("Tinytrek", "Brickle", "Wobbly Bear", "Playnest"),
    "Garden": ("Greenthumb", "Terrafina", "Bloomwell", "Yardcraft"),
}

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(leaf.top for leaf in LEAVES))
TAXONOMY: dict[str, list[str]] = {
    top: [lf.name for lf in LEAVES if lf.top == top] for top in CATEGORIES
}
_MODEL_NUMBERED = {"Electronics", "Sports"}
_FEATURES = {
    "Apparel": [
        "a relaxed fit",
        "breathable fabric",
        "a tailored cut",
        "reinforced seams",
        "a soft brushed finish",
    ],
    "Shoes": [
        "a cushioned insole",
        "a grippy rubber outsole",
        "a padded collar",
        "lightweight construction",
    ],
    "Bags": [
        "an adjustable strap",
        "a padded laptop sleeve",
        "interior pockets",
        "a magnetic closure",
    ],
    "Jewelry": ["a polished finish", "hypoallergenic metal", "a gift box", "a secure clasp"],
    "Home Decor": ["a handmade finish", "a timeless shape", "easy-care materials"],
    "Furniture": ["solid construction", "easy assembly", "a stain-resistant finish", "sturdy legs"],
    "Kitchen": ["dishwasher-safe parts", "an ergonomic handle", "even heat distribution"],
    "Electronics": [
        "up to 30 hours of battery",
        "Bluetooth 5.3",
        "USB-C charging",
        "a one-year warranty",
    ],
    "Beauty": ["cruelty-free ingredients", "a long-lasting formula", "a fragrance-free option"],
    "Sports": ["a non-slip surface", "durable materials", "a lightweight build"],
    "Toys": ["child-safe materials", "rounded edges", "a gift-ready box"],
    "Garden": ["weather-resistant materials", "drainage holes", "a comfortable grip"],
}


def vocabulary() -> dict[str, list[str]]:
    """Every filter value the demo catalog can use (a superset of one catalog's values)."""
    sizes = dict.fromkeys(s for leaf in LEAVES for s in leaf.sizes)
    materials = dict.fromkeys(m for leaf in LEAVES for m in leaf.materials)
    return {
        "category": [*CATEGORIES, *(leaf.name for leaf in LEAVES)],
        "color": list(COLORS),
        "size": list(sizes),
        "material": list(materials),
        "brand": [b for top in CATEGORIES for b in BRANDS[top]],
        "style": list(STYLES),
        "audience": list(AUDIENCES),
    }


def _price(rng: random.Random, lo: float, hi: float) -> float:
    # Log-uniform: most products are cheap, a few expensive, like real catalogs.
    import math

    raw = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    return float(round(raw) - 0.01) if raw > 5 else round(raw, 2)


def generate_product(i: int, seed: int = 7) -> Product:
    """Product number ``i`` of the demo catalog for ``seed``."""
    rng = random.Random(f"{seed}:{i}")
    # Round-robin over leaves so any prefix of the catalog covers every category.
    leaf = LEAVES[(i + seed) % len(LEAVES)]
    color = rng.choice(leaf.colors)
    material = rng.choice(leaf.materials)
    style = rng.choice([s for s in leaf.styles if s in STYLES] or ["classic"])
    audience = rng.choice(leaf.audiences)
    brand = rng.choice(BRANDS[leaf.top])
    noun = rng.choice(leaf.nouns)
    price = _price(rng, *leaf.price)
    pid = f"p-{i:05d}"

    model = ""
    if leaf.top in _MODEL_NUMBERED:
        model = f" {rng.choice('XRSMQ')}{rng.randint(1, 9)}{rng.choice(['00', '50', '10', '20'])}"
    mat_word = material.title() if leaf.top not in {"Electronics", "Beauty"} else ""
    who = {"women": "Women's ", "men": "Men's ", "kids": "Kids' "}.get(audience, "")
    if leaf.top not in {"Apparel", "Shoes"} and audience != "kids":
        who = ""
    title = " ".join(
        w
        for w in [
            brand + model,
            style.title() if rng.random() < 0.5 else "",
            color.title(),
            mat_word,
            who.strip(),
            noun,
        ]
        if w
    )

    feats = rng.sample(_FEATURES[leaf.top], k=min(2, len(_FEATURES[leaf.top])))
    description = (
        f"A {style} {color} {noun.lower()} in {material} by {brand}. "
        f"Designed with {feats[0]} and {feats[-1]}. "
        f"{'Made for ' + audience + '. ' if audience != 'unisex' else ''}"
        f"Part of our {leaf.name.lower()} collection."
    )

    # Sized products list a contiguous run of sizes; a few sizes sell out.
    sizes = list(leaf.sizes)
    if len(sizes) > 3:
        start = rng.randint(0, max(0, len(sizes) - 4))
        sizes = sizes[start : start + rng.randint(3, min(6, len(sizes) - start))]
    variants = []
    for k, size in enumerate(sizes):
        available = rng.random() > 0.12
        step = 0.0 if len(leaf.sizes) > 3 or k == 0 else round(price * 0.4 * k, 2)
        variants.append(
            Variant(
                id=f"{pid}-{k}",
                options={"color": color, "size": size},
                price=round(price + step, 2),
                available=available,
                quantity=rng.randint(1, 40) if available else 0,
                sku=f"{brand[:3].upper()}-{i:05d}-{k}",
            )
        )
    if rng.random() < 0.05:  # discontinued: every variant sold out
        for v in variants:
            v.available, v.availability, v.quantity = False, "out_of_stock", 0

    # About one product in ten is on sale, 20-40% off, drawn apart from the rest so the
    # catalog is otherwise what it was before sales existed.
    sale = random.Random(f"{seed}:{i}:sale")
    was = round(price * sale.uniform(1.25, 1.65)) - 0.01 if sale.random() < 0.1 else None

    return Product(
        id=pid,
        title=title,
        description=description,
        category=leaf.path,
        brand=brand,
        price=price,
        compare_at_price=was if was is not None and was > price else None,
        currency="USD",
        attributes={
            "color": color,
            "material": material,
            "style": style,
            "audience": audience,
            "shape": leaf.shape,
        },
        variants=variants,
        images=[f"/media/products/{pid}.png"],
    )


def generate_products(n: int, seed: int = 7) -> list[Product]:
    """The first ``n`` products of the demo catalog for ``seed``."""
    return list(iter_products(n, seed))


def iter_products(n: int, seed: int = 7) -> Iterator[Product]:
    for i in range(n):
        yield generate_product(i, seed)


def leaf_for(product: Product) -> Leaf | None:
    for leaf in LEAVES:
        if leaf.path == product.category:
            return leaf
    return None
