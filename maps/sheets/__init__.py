"""Route sheets: per unit and as one bundle, as PDF, XLSX, CSV, GPX 1.1 and GeoJSON."""
