"""Reading typed answers: normalised text, quantities, phrase matching, and the grade they give."""
