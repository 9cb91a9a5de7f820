import BrewCore

/// Turns BeerXML 1.0 and BeerJSON 1.0 exports into brewctl recipes (work in progress).
public enum RecipeImporter {}
