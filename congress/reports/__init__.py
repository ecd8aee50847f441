"""PDF report infrastructure: WeasyPrint rendering, print CSS, CJK fonts, charts, QR."""
