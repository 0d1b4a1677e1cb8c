"""The hand-made fixture stores: what each merchant sells, written as a merchant would.

``make_catalogs.py`` turns these into a Merchant Center feed and a Shopify export.
Prices are exact decimals; ``deltas`` add to the base price per option value; ``sale``
is a share off every variant; ``stock`` marks variants (by their index in the option
product) out_of_stock, backorder or preorder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Product:
    handle: str
    title: str
    vendor: str
    type: str  # product_type path, e.g. "Electronics > Keyboards"
    gpc: str  # Google product category path
    body: str
    base: Decimal
    options: list[tuple[str, list[str]]] = field(default_factory=list)
    deltas: dict[str, float] = field(default_factory=dict)
    sale: float = 0.0
    stock: dict[int, str] = field(default_factory=dict)
    color: str = ""
    material: str = ""
    gender: str = ""
    age_group: str = ""
    tags: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    grams: int = 500
    label0: str = ""
    sku: str = ""
    store_domain: str = ""
    gtin_prefix: str = ""

    @property
    def body_html(self) -> str:
        parts = self.body.split(". ")
        return "<p>" + ". ".join(parts[:1]) + ".</p>" + (
            "<ul>" + "".join(f"<li>{s.rstrip('.')}</li>" for s in parts[1:]) + "</ul>"
            if len(parts) > 1 else "")


D = Decimal

ELECTRONICS = [
    Product("kestrel-k87-mechanical-keyboard", "Kestrel K87 Mechanical Keyboard", "Kestrel",
            "Electronics > Computer Accessories > Keyboards",
            "Electronics > Electronics Accessories > Computer Components > Input Devices > "
            "Keyboards",
            "Hot-swappable mechanical keyboard with PBT double-shot keycaps. Aluminium top "
            "plate and gasket mount. USB-C cable detaches",
            D("196.11"), [("Switch type", ["clicky", "linear", "tactile"]),
                          ("Backlight", ["none", "RGB"]),
                          ("Layout", ["full size", "tenkeyless"])],
            {"RGB": 30, "tenkeyless": -18.5, "tactile": 4}, stock={3: "out_of_stock"},
            color="black", material="aluminium", tags=["mechanical", "keyboard", "gaming"],
            details={"Connectivity": "USB-C wired"}, grams=1150, label0="bestseller"),
    Product("loomis-65-wireless-keyboard", "Loomis 65% Wireless Keyboard", "Loomis",
            "Electronics > Computer Accessories > Keyboards",
            "Electronics > Electronics Accessories > Computer Components > Input Devices > "
            "Keyboards",
            "Compact 65 percent layout with arrow keys. Bluetooth 5.1 for three devices. "
            "Battery lasts up to 200 hours with the backlight off",
            D("129.00"), [("Switch type", ["linear", "tactile"]), ("Color", ["black", "white"])],
            {"white": 10}, sale=0.15, material="plastic", tags=["wireless", "compact"],
            details={"Connectivity": "Bluetooth and 2.4 GHz"}, grams=720),
    Product("quillon-low-profile-office-keyboard", "Quillon Low-Profile Office Keyboard",
            "Quillon", "Electronics > Computer Accessories > Keyboards",
            "Electronics > Electronics Accessories > Computer Components > Input Devices > "
            "Keyboards",
            "Quiet scissor-switch keyboard for the office. Full size with number pad. "
            "Rechargeable, one charge lasts three months",
            D("59.95"), [("Layout", ["US", "UK", "German"])], stock={2: "backorder"},
            color="silver", tags=["office", "quiet"], grams=610),
    Product("arcbook-pro-14", "Arcbook Pro 14 Laptop", "Arcwise",
            "Electronics > Computers > Laptops",
            "Electronics > Computers > Laptops",
            "14.2-inch laptop with a 3024 x 1964 display. Aluminium unibody. Up to 18 hours "
            "of battery life",
            D("1791.87"), [("Processor", ["i5", "i7"]), ("RAM", ["16GB", "32GB"]),
                           ("Storage", ["256GB SSD", "512GB SSD", "1TB SSD"])],
            {"i7": 300, "32GB": 200, "512GB SSD": 150, "1TB SSD": 329.9},
            stock={4: "out_of_stock", 11: "preorder"}, color="space grey",
            material="aluminium", tags=["laptop", "pro"], grams=1600,
            details={"Screen size": "14.2 in"}),
    Product("arcbook-air-13", "Arcbook Air 13 Laptop", "Arcwise",
            "Electronics > Computers > Laptops", "Electronics > Computers > Laptops",
            "Thin and fanless 13.6-inch laptop. Weighs 1.24 kg. Silent, all-day battery",
            D("999.00"), [("RAM", ["8GB", "16GB"]), ("Storage", ["256GB SSD", "512GB SSD"]),
                          ("Color", ["silver", "space grey", "midnight"])],
            {"16GB": 200, "512GB SSD": 200}, sale=0.1, stock={5: "out_of_stock"},
            material="aluminium", tags=["laptop", "ultralight"], grams=1240,
            details={"Screen size": "13.6 in"}),
    Product("tern-15-creator-laptop", "Tern 15 Creator Laptop", "Tern",
            "Electronics > Computers > Laptops", "Electronics > Computers > Laptops",
            "15.6-inch OLED creator laptop with RTX graphics. Colour-calibrated panel. "
            "Thunderbolt 4 and SD card reader",
            D("1649.00"), [("CPU", ["Ryzen 7", "Ryzen 9"]), ("RAM", ["32GB", "64GB"]),
                           ("Storage", ["1TB SSD", "2TB SSD"])],
            {"Ryzen 9": 350, "64GB": 280, "2TB SSD": 190.49}, color="graphite",
            tags=["laptop", "creator", "oled"], grams=2100,
            details={"Graphics": "RTX 4060", "Screen size": "15.6 in"}),
    Product("pebble-11-chromebook", "Pebble 11 Chromebook", "Pebble",
            "Electronics > Computers > Laptops", "Electronics > Computers > Laptops",
            "Rugged 11.6-inch Chromebook for school. Spill-resistant keyboard. 64GB storage",
            D("249.00"), color="blue", tags=["chromebook", "school"], grams=1200,
            age_group="kids"),
    Product("vista-ultrasharp-monitor", "Vista UltraSharp 4K Monitor", "Vista",
            "Electronics > Monitors", "Electronics > Video > Computer Monitors",
            "IPS monitor with 4K resolution and USB-C power delivery. Height adjustable "
            "stand. Factory calibrated",
            D("329.99"), [("Screen size", ["24 inch", "27 inch", "32 inch"])],
            {"27 inch": 120, "32 inch": 270}, stock={2: "backorder"}, color="black",
            tags=["monitor", "4k"], grams=6200),
    Product("prism-34-curved-ultrawide-monitor", "Prism 34 Curved Ultrawide Monitor",
            "Prism", "Electronics > Monitors", "Electronics > Video > Computer Monitors",
            "34-inch curved ultrawide gaming monitor, 3440 x 1440 at 165 Hz. 1 ms response",
            D("649.00"), stock={0: "out_of_stock"}, color="black",
            tags=["monitor", "gaming", "ultrawide"], grams=8100),
    Product("glide-portable-monitor", "Glide Portable Monitor", "Glide",
            "Electronics > Monitors", "Electronics > Video > Computer Monitors",
            "Slim USB-C portable monitor with a folding cover stand. Plug and play for "
            "laptops and consoles",
            D("159.00"), [("Screen size", ["13.3 inch", "15.6 inch"])], {"15.6 inch": 40},
            sale=0.2, color="grey", tags=["monitor", "portable", "travel"], grams=780),
    Product("hush-700-noise-cancelling-headphones", "Hush 700 Noise Cancelling Headphones",
            "Hush Audio", "Electronics > Audio > Headphones",
            "Electronics > Audio > Audio Components > Headphones & Headsets > Headphones",
            "Over-ear wireless headphones with adaptive noise cancelling. 30 hours of battery. "
            "Folding design with a hard case",
            D("379.00"), [("Color", ["black", "silver", "midnight blue"])],
            stock={2: "out_of_stock"}, sale=0.25, tags=["headphones", "anc", "travel"],
            grams=254),
    Product("pulse-buds-true-wireless-earbuds", "Pulse Buds True Wireless Earbuds",
            "Hush Audio", "Electronics > Audio > Headphones",
            "Electronics > Audio > Audio Components > Headphones & Headsets > Headphones",
            "In-ear earbuds with a pocket charging case. IPX4 sweat resistant. Six ear tip "
            "sizes included",
            D("99.00"), [("Color", ["black", "white", "sage"])], {"sage": 10},
            tags=["earbuds", "wireless", "sport"], grams=52),
    Product("mx50-studio-monitor-headphones", "MX50 Studio Monitor Headphones", "Sonance",
            "Electronics > Audio > Headphones",
            "Electronics > Audio > Audio Components > Headphones & Headsets > Headphones",
            "Closed-back wired studio headphones with a detachable coiled cable. Flat "
            "response for mixing",
            D("149.00"), color="black", tags=["studio", "wired"], grams=285),
    Product("inkwell-7-inch-e-reader", "Inkwell 7-inch E-reader", "Inkwell",
            "Electronics > E-readers", "Electronics > Computers > E-Book Readers",
            "Waterproof 7-inch glare-free e-ink display with warm light. Page turn buttons. "
            "Weeks of battery",
            D("189.99"), [("Storage", ["8GB", "32GB"]), ("Color", ["black", "sandstone"])],
            {"32GB": 30}, stock={3: "preorder"}, tags=["e-reader", "reading"], grams=180),
    Product("inkwell-scribe-10-inch-e-reader", "Inkwell Scribe 10.2-inch E-reader", "Inkwell",
            "Electronics > E-readers", "Electronics > Computers > E-Book Readers",
            "10.2-inch e-ink reader you can write on, with a stylus included. Notebooks and "
            "PDF markup",
            D("339.99"), [("Storage", ["16GB", "32GB", "64GB"])], {"32GB": 30, "64GB": 60},
            color="tungsten", tags=["e-reader", "notes"], grams=433),
    Product("orbit-wireless-mouse", "Orbit Wireless Mouse", "Orbit",
            "Electronics > Computer Accessories > Mice",
            "Electronics > Electronics Accessories > Computer Components > Input Devices > "
            "Mice & Trackballs",
            "Quiet-click ergonomic wireless mouse. Works on glass. USB-C recharge",
            D("49.99"), [("Color", ["graphite", "pale grey", "rose"])], stock={2: "out_of_stock"},
            tags=["mouse", "wireless", "office"], grams=99),
    Product("vector-gaming-mouse", "Vector Gaming Mouse", "Vector",
            "Electronics > Computer Accessories > Mice",
            "Electronics > Electronics Accessories > Computer Components > Input Devices > "
            "Mice & Trackballs",
            "Lightweight 26K DPI gaming mouse, three shell sizes to fit your grip",
            D("79.00"), [("Size", ["small", "medium", "large"]), ("Color", ["black", "white"])],
            {"large": 5}, stock={5: "backorder"}, tags=["gaming", "mouse"], grams=63),
    Product("clearview-4k-webcam", "ClearView 4K Webcam", "ClearView",
            "Electronics > Cameras > Webcams", "Electronics > Electronics Accessories > "
            "Computer Components > Input Devices > Webcams",
            "4K webcam with autofocus, dual microphones and a privacy shutter",
            D("129.49"), stock={0: "preorder"}, color="black", tags=["webcam", "streaming"],
            grams=162),
    Product("vault-portable-ssd", "Vault Portable SSD", "Vault",
            "Electronics > Storage > External Drives",
            "Electronics > Electronics Accessories > Computer Components > Storage Devices > "
            "Hard Drives",
            "Drop-proof USB-C portable solid state drive, up to 1050 MB/s",
            D("89.99"), [("Capacity", ["1TB", "2TB", "4TB"]), ("Color", ["grey", "blue"])],
            {"2TB": 60, "4TB": 210}, sale=0.12, stock={5: "out_of_stock"},
            tags=["ssd", "storage", "backup"], grams=58),
    Product("boomer-go-bluetooth-speaker", "Boomer Go Bluetooth Speaker", "Boomer",
            "Electronics > Audio > Speakers", "Electronics > Audio > Audio Components > "
            "Speakers",
            "Pocket waterproof speaker that floats. Plays for 10 hours on a charge. "
            "Pairs with a second speaker for stereo",
            D("59.00"), [("Color", ["black", "teal", "coral"])],
            tags=["speaker", "outdoor", "waterproof"], grams=230),
    Product("stride-smartwatch", "Stride Smartwatch", "Stride",
            "Electronics > Wearables > Smartwatches",
            "Electronics > Electronics Accessories > Wearable Technology > Smartwatches",
            "GPS smartwatch with heart rate, sleep tracking and a 7 day battery",
            D("249.00"), [("Case size", ["41mm", "45mm"]), ("Band", ["sport band", "leather"]),
                          ("Color", ["black", "starlight"])],
            {"45mm": 30, "leather": 49.5}, stock={6: "out_of_stock"},
            tags=["smartwatch", "fitness", "gps"], grams=38),
    Product("slate-11-tablet", "Slate 11 Tablet", "Arcwise",
            "Electronics > Computers > Tablets", "Electronics > Computers > Tablet Computers",
            "11-inch tablet with a laminated display and stylus support",
            D("599.00"), [("Storage", ["128GB", "256GB"]),
                          ("Connectivity", ["Wi-Fi", "Wi-Fi + Cellular"]),
                          ("Color", ["silver", "space grey"])],
            {"256GB": 100, "Wi-Fi + Cellular": 150}, tags=["tablet"], grams=470),
    Product("juice-20000mah-power-bank", "Juice 20000mAh Power Bank", "Juice",
            "Electronics > Power > Power Banks", "Electronics > Electronics Accessories > "
            "Power > Power Banks",
            "20000mAh power bank with 65W USB-C output, charges a laptop", D("45.99"),
            color="white", tags=["power bank", "travel"], grams=340),
    Product("raid-wired-gaming-headset", "Raid Wired Gaming Headset", "Raid",
            "Electronics > Audio > Headphones",
            "Electronics > Audio > Audio Components > Headphones & Headsets > Headsets",
            "Wired gaming headset with a flip-to-mute boom microphone and 50mm drivers",
            D("69.99"), [("Platform", ["PC", "PlayStation", "Xbox"])], {"Xbox": 5},
            color="red", tags=["gaming", "headset"], grams=290),
    Product("meshlink-wifi-6-system", "MeshLink Wi-Fi 6 Mesh System", "MeshLink",
            "Electronics > Networking > Routers", "Electronics > Networking > Bridges & "
            "Routers > Wireless Routers",
            "Whole-home Wi-Fi 6 mesh. Each unit covers about 2000 square feet",
            D("149.00"), [("Pack", ["1-pack", "2-pack", "3-pack"])],
            {"2-pack": 110, "3-pack": 200}, color="white", tags=["wifi", "router", "mesh"],
            grams=450),
]

HOME_OUTDOOR = [
    Product("ridgeline-dome-tent", "Ridgeline Dome Tent", "Ridgeline",
            "Outdoor > Camping > Tents", "Sporting Goods > Outdoor Recreation > Camping & "
            "Hiking > Tents",
            "Freestanding three-season dome tent with two doors and a full rainfly. Sets up "
            "in ten minutes",
            D("189.00"), [("Capacity", ["2-person", "4-person", "6-person"]),
                          ("Color", ["forest green", "orange"])],
            {"4-person": 70, "6-person": 150}, stock={3: "out_of_stock"},
            material="polyester", tags=["tent", "camping", "family"], grams=3900),
    Product("summit-ultralight-backpacking-tent", "Summit Ultralight Backpacking Tent",
            "Ridgeline", "Outdoor > Camping > Tents",
            "Sporting Goods > Outdoor Recreation > Camping & Hiking > Tents",
            "Trekking-pole tent that packs to the size of a water bottle. Silnylon fly",
            D("329.00"), [("Capacity", ["1-person", "2-person"])], {"2-person": 60}, sale=0.2,
            color="grey", material="silnylon", tags=["tent", "ultralight", "backpacking"],
            grams=890),
    Product("nordic-down-sleeping-bag", "Nordic Down Sleeping Bag", "Nordic Trail",
            "Outdoor > Camping > Sleeping Bags",
            "Sporting Goods > Outdoor Recreation > Camping & Hiking > Sleeping Bags",
            "800-fill responsibly sourced down mummy bag with a draft collar",
            D("279.00"), [("Temperature rating", ["20°F", "0°F"]), ("Length", ["regular",
                                                                            "long"])],
            {"0°F": 90, "long": 25}, stock={3: "backorder"}, color="navy",
            material="down", tags=["sleeping bag", "down"], grams=1100),
    Product("cloudrest-inflatable-sleeping-pad", "Cloudrest Inflatable Sleeping Pad",
            "Nordic Trail", "Outdoor > Camping > Sleeping Pads",
            "Sporting Goods > Outdoor Recreation > Camping & Hiking > Sleeping Pads",
            "Insulated air pad, R-value 4.2, three inches thick, with a pump sack",
            D("139.95"), [("Size", ["regular", "large"])], {"large": 20}, color="yellow",
            tags=["sleeping pad", "camping"], grams=520),
    Product("trailhead-folding-camp-chair", "Trailhead Folding Camp Chair", "Ridgeline",
            "Outdoor > Camping > Camp Furniture",
            "Sporting Goods > Outdoor Recreation > Camping & Hiking > Camp Furniture",
            "Padded folding chair with a cup holder and side pocket. Holds 300 lb",
            D("44.99"), [("Color", ["olive", "charcoal", "red"])], stock={2: "out_of_stock"},
            material="polyester", tags=["chair", "camping"], grams=4200),
    Product("marlow-3-seat-sofa", "Marlow 3-Seat Sofa", "Marlow & Finch",
            "Home > Furniture > Sofas", "Furniture > Sofas",
            "Deep-seat sofa, 84 x 36 x 33 inches. Kiln-dried hardwood frame. Feather-wrapped "
            "cushions",
            D("1899.00"), [("Upholstery", ["performance linen", "velvet", "leather"]),
                           ("Color", ["oat", "slate", "olive"])],
            {"velvet": 200, "leather": 900}, sale=0.1, stock={8: "out_of_stock",
                                                              5: "preorder"},
            tags=["sofa", "living room"], grams=68000,
            details={"Dimensions": "84 x 36 x 33 in"}),
    Product("hollis-sleeper-sofa", "Hollis Sleeper Sofa", "Marlow & Finch",
            "Home > Furniture > Sofas", "Furniture > Sofas",
            "Sofa with a pull-out memory foam mattress, 79 inches wide",
            D("1399.00"), [("Size", ["full", "queen"]), ("Color", ["grey", "navy"])],
            {"queen": 200}, material="polyester", tags=["sofa", "sleeper", "guest room"],
            grams=72000),
    Product("arden-loveseat", "Arden Loveseat", "Marlow & Finch",
            "Home > Furniture > Sofas", "Furniture > Sofas",
            "Two-seat loveseat, 58 inches wide, with tapered oak legs",
            D("899.00"), stock={0: "out_of_stock"}, color="rust", material="boucle",
            tags=["loveseat", "small space"], grams=38000),
    Product("stonewashed-linen-duvet-cover", "Stonewashed Linen Duvet Cover", "Flax & Field",
            "Home > Bedding > Duvet Covers", "Home & Garden > Linens & Bedding > Bedding > "
            "Duvet Covers",
            "100% European flax linen, stonewashed for softness. Button closure and corner "
            "ties",
            D("179.00"), [("Size", ["twin", "full/queen", "king"]),
                          ("Color", ["white", "flax", "sage"])],
            {"full/queen": 40, "king": 70}, stock={7: "out_of_stock"}, material="linen",
            tags=["bedding", "linen", "duvet"], grams=1400),
    Product("percale-sheet-set", "Crisp Percale Sheet Set", "Flax & Field",
            "Home > Bedding > Sheets", "Home & Garden > Linens & Bedding > Bedding > Bed "
            "Sheets",
            "Cool 400 thread count cotton percale: fitted sheet, flat sheet, two pillowcases",
            D("129.00"), [("Size", ["twin", "full", "queen", "king", "california king"]),
                          ("Color", ["white", "ivory"])],
            {"full": 10, "queen": 20, "king": 30, "california king": 30}, sale=0.15,
            material="cotton", tags=["bedding", "sheets", "cotton"], grams=1800),
    Product("down-alternative-comforter", "Down Alternative Comforter", "Slumberwell",
            "Home > Bedding > Comforters", "Home & Garden > Linens & Bedding > Bedding > "
            "Quilts & Comforters",
            "Hypoallergenic microfiber fill, machine washable, with corner loops",
            D("89.00"), [("Size", ["twin", "queen", "king"]),
                         ("Warmth", ["lightweight", "all season"])],
            {"queen": 20, "king": 40, "all season": 15}, stock={5: "backorder"},
            color="white", material="microfiber", tags=["bedding", "comforter"], grams=2500),
    Product("memory-foam-pillow", "Contour Memory Foam Pillow", "Slumberwell",
            "Home > Bedding > Pillows", "Home & Garden > Linens & Bedding > Bedding > Pillows",
            "Cooling gel memory foam pillow for side and back sleepers",
            D("59.00"), [("Size", ["standard", "queen", "king"])], {"queen": 10, "king": 20},
            color="white", material="memory foam", tags=["pillow", "sleep"], grams=1300),
    Product("clearair-300-hepa-air-purifier", "ClearAir 300 HEPA Air Purifier", "ClearAir",
            "Home > Appliances > Air Purifiers", "Home & Garden > Household Appliances > "
            "Climate Control Appliances > Air Purifiers",
            "True HEPA H13 filter captures 99.97% of particles. Covers rooms up to 300 sq ft. "
            "Night mode at 24 dB",
            D("149.99"), color="white", tags=["air purifier", "hepa", "allergy"], grams=3400),
    Product("clearair-600-hepa-air-purifier", "ClearAir 600 Smart Air Purifier", "ClearAir",
            "Home > Appliances > Air Purifiers", "Home & Garden > Household Appliances > "
            "Climate Control Appliances > Air Purifiers",
            "Large room air purifier with a HEPA H13 and carbon filter. App control and "
            "air quality sensor. Covers 600 sq ft",
            D("329.00"), [("Color", ["white", "charcoal"])], sale=0.18,
            stock={1: "out_of_stock"}, tags=["air purifier", "hepa", "smart"], grams=7900),
    Product("preseasoned-cast-iron-skillet", "Pre-Seasoned Cast Iron Skillet", "Hearthstone",
            "Home > Kitchen > Cookware > Skillets", "Home & Garden > Kitchen & Dining > "
            "Cookware & Bakeware > Cookware > Skillets & Frying Pans",
            "Oven-safe cast iron skillet, seasoned with vegetable oil and ready to use",
            D("24.90"), [("Size", ["8 inch", "10 inch", "12 inch"])], {"10 inch": 10,
                                                                       "12 inch": 20},
            color="black", material="cast iron", tags=["cookware", "skillet"], grams=2300),
    Product("tri-ply-stainless-cookware-set", "Tri-Ply Stainless Steel Cookware Set",
            "Hearthstone", "Home > Kitchen > Cookware > Cookware Sets",
            "Home & Garden > Kitchen & Dining > Cookware & Bakeware > Cookware > Cookware "
            "Sets",
            "Fully clad tri-ply stainless steel pots and pans, induction ready, oven safe "
            "to 600°F",
            D("399.00"), [("Set", ["7-piece", "10-piece"])], {"10-piece": 150},
            stock={1: "backorder"}, color="silver", material="stainless steel",
            tags=["cookware", "set", "induction"], grams=9000),
    Product("ceramic-nonstick-frying-pan", "Ceramic Nonstick Frying Pan", "Verde Kitchen",
            "Home > Kitchen > Cookware > Skillets", "Home & Garden > Kitchen & Dining > "
            "Cookware & Bakeware > Cookware > Skillets & Frying Pans",
            "PFAS-free ceramic nonstick pan with a stay-cool handle",
            D("55.00"), [("Size", ["10 inch", "12 inch"]), ("Color", ["cream", "sage",
                                                                       "navy"])],
            {"12 inch": 15}, stock={4: "out_of_stock"}, material="ceramic",
            tags=["cookware", "nonstick"], grams=1100),
    Product("enameled-cast-iron-dutch-oven", "Enameled Cast Iron Dutch Oven", "Hearthstone",
            "Home > Kitchen > Cookware > Dutch Ovens", "Home & Garden > Kitchen & Dining > "
            "Cookware & Bakeware > Cookware > Casserole Dishes",
            "Enameled cast iron Dutch oven for braising and bread",
            D("179.95"), [("Capacity", ["5.5 qt", "7.25 qt"]), ("Color", ["cherry", "marine",
                                                                          "white"])],
            {"7.25 qt": 60}, sale=0.25, material="cast iron",
            tags=["cookware", "dutch oven"], grams=5400),
    Product("woven-seagrass-storage-basket", "Woven Seagrass Storage Basket", "Nest & Weave",
            "Home > Storage > Baskets", "Home & Garden > Household Supplies > Storage & "
            "Organization > Storage Baskets",
            "Handwoven seagrass basket with handles, for blankets and toys",
            D("34.00"), [("Size", ["small", "medium", "large"])], {"medium": 12, "large": 24},
            stock={2: "backorder"}, color="natural", material="seagrass",
            tags=["storage", "basket"], grams=900),
    Product("handwoven-jute-area-rug", "Handwoven Jute Area Rug", "Nest & Weave",
            "Home > Decor > Rugs", "Home & Garden > Decor > Rugs",
            "Chunky braided jute rug, reversible, natural fibre",
            D("149.00"), [("Size", ["5 x 8 ft", "8 x 10 ft", "9 x 12 ft"])],
            {"8 x 10 ft": 150, "9 x 12 ft": 300}, color="natural", material="jute",
            tags=["rug", "natural"], grams=11000),
    Product("teak-outdoor-dining-table", "Teak Outdoor Dining Table", "Coastline",
            "Outdoor > Patio Furniture > Tables", "Furniture > Outdoor Furniture > Outdoor "
            "Tables",
            "Grade A teak patio dining table that weathers to silver-grey",
            D("1249.00"), [("Size", ["6-seat", "8-seat"])], {"8-seat": 400},
            stock={1: "preorder"}, color="natural", material="teak",
            tags=["patio", "dining", "table"], grams=48000),
    Product("acacia-adirondack-chair", "Acacia Adirondack Chair", "Coastline",
            "Outdoor > Patio Furniture > Chairs", "Furniture > Outdoor Furniture > Outdoor "
            "Seating",
            "Classic slatted Adirondack chair in oiled acacia wood, folds flat",
            D("179.00"), [("Color", ["natural", "white", "charcoal"])], sale=0.15,
            material="acacia wood", tags=["patio", "chair"], grams=12000),
    Product("ember-portable-gas-grill", "Ember Portable Gas Grill", "Ember",
            "Outdoor > Grills", "Home & Garden > Lawn & Garden > Outdoor Living > Outdoor "
            "Cooking > Barbecue Grills",
            "Tabletop propane grill with two burners and 10,000 BTU",
            D("229.00"), stock={0: "preorder"}, color="red", material="stainless steel",
            tags=["grill", "camping", "bbq"], grams=9500),
    Product("glacier-hard-cooler", "Glacier Hard Cooler", "Glacier",
            "Outdoor > Camping > Coolers", "Sporting Goods > Outdoor Recreation > Camping & "
            "Hiking > Portable Coolers",
            "Rotomolded cooler that keeps ice for up to 7 days. Bear-resistant latches",
            D("199.00"), [("Capacity", ["25 qt", "45 qt", "65 qt"]),
                          ("Color", ["white", "tan"])],
            {"45 qt": 75, "65 qt": 150}, stock={4: "out_of_stock"},
            tags=["cooler", "camping", "fishing"], grams=8600),
    Product("orthopedic-dog-bed", "Orthopedic Memory Foam Dog Bed", "Pawsome",
            "Home > Pets > Dog Beds", "Animals & Pet Supplies > Pet Supplies > Dog Supplies "
            "> Dog Beds",
            "Orthopedic foam base with a washable cover and bolster",
            D("69.00"), [("Size", ["medium", "large", "extra large"])],
            {"large": 20, "extra large": 40}, color="grey", material="memory foam",
            tags=["dog", "pet bed"], grams=3000),
    Product("double-camping-hammock", "Double Camping Hammock", "Nordic Trail",
            "Outdoor > Camping > Hammocks", "Sporting Goods > Outdoor Recreation > Camping & "
            "Hiking > Hammocks",
            "Parachute nylon hammock for two, tree straps included, holds 500 lb",
            D("39.99"), [("Color", ["teal", "orange", "forest green"])], material="nylon",
            tags=["hammock", "camping"], grams=680),
    Product("led-camping-lantern", "Rechargeable LED Camping Lantern", "Ember",
            "Outdoor > Camping > Lighting", "Sporting Goods > Outdoor Recreation > Camping & "
            "Hiking > Camping Lights & Lanterns",
            "500 lumen lantern that runs 10 hours on high and charges your phone",
            D("32.50"), color="orange", tags=["lantern", "camping", "light"], grams=410),
]

ELECTRONICS_QUERIES = [
    ("mechanical keyboard with clicky switches and RGB", "kestrel-k87-mechanical-keyboard"),
    ("compact wireless 65% keyboard", "loomis-65-wireless-keyboard"),
    ("quiet office keyboard with UK layout", "quillon-low-profile-office-keyboard"),
    ("14 inch laptop with 32GB RAM", "arcbook-pro-14"),
    ("thin fanless laptop in midnight", "arcbook-air-13"),
    ("OLED laptop for video editing with Ryzen 9", "tern-15-creator-laptop"),
    ("cheap chromebook for school", "pebble-11-chromebook"),
    ("27 inch 4K monitor", "vista-ultrasharp-monitor"),
    ("curved ultrawide gaming monitor", "prism-34-curved-ultrawide-monitor"),
    ("portable usb-c monitor for travel", "glide-portable-monitor"),
    ("noise cancelling over-ear headphones", "hush-700-noise-cancelling-headphones"),
    ("true wireless earbuds", "pulse-buds-true-wireless-earbuds"),
    ("wired studio headphones for mixing", "mx50-studio-monitor-headphones"),
    ("7-inch waterproof e-reader", "inkwell-7-inch-e-reader"),
    ("e-reader I can write notes on", "inkwell-scribe-10-inch-e-reader"),
    ("ergonomic wireless mouse", "orbit-wireless-mouse"),
    ("lightweight gaming mouse in large", "vector-gaming-mouse"),
    ("4k webcam with privacy shutter", "clearview-4k-webcam"),
    ("2TB portable ssd", "vault-portable-ssd"),
    ("waterproof bluetooth speaker", "boomer-go-bluetooth-speaker"),
    ("gps smartwatch with leather band", "stride-smartwatch"),
    ("11 inch tablet with cellular", "slate-11-tablet"),
    ("power bank that can charge a laptop", "juice-20000mah-power-bank"),
    ("gaming headset for xbox", "raid-wired-gaming-headset"),
    ("mesh wifi 3-pack", "meshlink-wifi-6-system"),
]

HOME_OUTDOOR_QUERIES = [
    ("4 person tent", "ridgeline-dome-tent"),
    ("ultralight backpacking tent for one", "summit-ultralight-backpacking-tent"),
    ("down sleeping bag rated 0 degrees", "nordic-down-sleeping-bag"),
    ("large insulated sleeping pad", "cloudrest-inflatable-sleeping-pad"),
    ("folding camp chair with cup holder", "trailhead-folding-camp-chair"),
    ("velvet three seat sofa", "marlow-3-seat-sofa"),
    ("queen sleeper sofa", "hollis-sleeper-sofa"),
    ("small loveseat with oak legs", "arden-loveseat"),
    ("linen duvet cover king", "stonewashed-linen-duvet-cover"),
    ("queen percale sheets", "percale-sheet-set"),
    ("washable down alternative comforter", "down-alternative-comforter"),
    ("memory foam pillow for side sleepers", "memory-foam-pillow"),
    ("HEPA air purifier for a bedroom", "clearair-300-hepa-air-purifier"),
    ("smart air purifier for a large room", "clearair-600-hepa-air-purifier"),
    ("10 inch cast iron skillet", "preseasoned-cast-iron-skillet"),
    ("stainless steel cookware set", "tri-ply-stainless-cookware-set"),
    ("ceramic nonstick frying pan", "ceramic-nonstick-frying-pan"),
    ("dutch oven for bread", "enameled-cast-iron-dutch-oven"),
    ("large seagrass basket for blankets", "woven-seagrass-storage-basket"),
    ("8 x 10 jute rug", "handwoven-jute-area-rug"),
    ("teak patio dining table", "teak-outdoor-dining-table"),
    ("wooden adirondack chair", "acacia-adirondack-chair"),
    ("portable propane grill", "ember-portable-gas-grill"),
    ("cooler that keeps ice for a week", "glacier-hard-cooler"),
    ("extra large orthopedic dog bed", "orthopedic-dog-bed"),
    ("hammock for two people", "double-camping-hammock"),
    ("rechargeable camping lantern", "led-camping-lantern"),
]


def _finish(products: list[Product], domain: str, prefix: str) -> list[Product]:
    for n, p in enumerate(products, start=1):
        p.sku = p.sku or f"{prefix}{n:03d}"
        p.store_domain = domain
        p.gtin_prefix = f"0{840000 + n * 13:06d}{n:02d}"
    return products


STORES: dict[str, dict] = {
    "electronics": {"currency": "USD", "queries": ELECTRONICS_QUERIES,
                    "products": _finish(ELECTRONICS, "circuitandkey.example", "CK")},
    "home_outdoor": {"currency": "USD", "queries": HOME_OUTDOOR_QUERIES,
                     "products": _finish(HOME_OUTDOOR, "hearthandtrail.example", "HT")},
}
