"""The PDF renderer (reportlab): typed content in, a Bates-numbered case file out."""
