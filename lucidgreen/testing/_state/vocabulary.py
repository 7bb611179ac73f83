"""The words, places and lab-test names the generated catalogue is drawn from."""

from __future__ import annotations

__all__ = [
    "ALLERGENS",
    "BRAND_WORDS",
    "CITIES",
    "DIETS",
    "EFFECTS",
    "INGREDIENTS",
    "MEDICAL",
    "NEGATIVE",
    "PRODUCT_TYPES",
    "STATES",
    "STRAINS",
    "TESTS",
    "TEXT_USAGES",
    "TOTALS",
    "UNITS",
    "VARIETIES",
]

#: Allowed ``usage`` values of a text asset.
TEXT_USAGES = ("description", "usage_recommendation", "testing_methodology", "about_ingredients")

BRAND_WORDS = (
    "Green Valley", "Coastal Kind", "High Desert", "Northern Light", "Sunset Botanicals",
    "Emerald Peak", "Blue River", "Redwood", "Golden Hour", "Quiet Pine", "Wild Sage", "Ironwood",
)  # fmt: skip
STATES = ("CA", "CO", "MI", "NJ", "WA", "OR", "MA", "NV", "IL", "AZ")
PRODUCT_TYPES = (
    "FLOWER", "GUMMY", "VAPE", "PRE_ROLL", "CHOCOLATE", "TINCTURE", "CONCENTRATE", "TOPICAL",
)  # fmt: skip
STRAINS = (
    "Blue Dream", "OG Kush", "Sour Diesel", "Girl Scout Cookies", "Granddaddy Purple",
    "Jack Herer", "Gelato", "Wedding Cake", "Durban Poison", "Pineapple Express", "Harlequin",
)  # fmt: skip
VARIETIES = ("Indica", "Sativa", "Hybrid", "CBD")
EFFECTS = ("Relaxed", "Happy", "Uplifted", "Sleepy", "Focused", "Creative", "Hungry")
NEGATIVE = ("Dry mouth", "Dry eyes", "Dizzy", "Paranoid")
MEDICAL = ("Stress", "Pain", "Insomnia", "Anxiety", "Nausea")
DIETS = ("Vegan", "Gluten free", "Kosher", "Sugar free")
ALLERGENS = ("Milk", "Soy", "Tree nuts", "Wheat", "Peanuts")
INGREDIENTS = (
    "Cane sugar",
    "Cocoa butter",
    "Pectin",
    "Citric acid",
    "Cannabis extract",
    "MCT oil",
)
CITIES = ("Oakland", "Denver", "Detroit", "Newark", "Spokane", "Eugene", "Worcester", "Reno")
TESTS = (
    "cannabinoid_potency_tests", "filth_and_foreign_material_tests", "heavy_metals_tests",
    "homogeneity_tests", "microbials_tests", "moisture_content_tests", "mycotoxins_tests",
    "pesticides_tests", "residual_solvents_tests", "terpene_profiling_tests",
    "water_activity_tests", "ph_tests", "chemical_residue_tests",
)  # fmt: skip
TOTALS = (
    ("total_active_cannabinoids", "mg/g"), ("total_potential_thc", "%"), ("total_thc", "%"),
    ("total_potential_cbd", "%"), ("total_cbd", "mg"), ("total_terpenes", ""),
)  # fmt: skip
UNITS = {"FLOWER": "g", "PRE_ROLL": "g", "VAPE": "g", "CONCENTRATE": "g", "TINCTURE": "ml"}
