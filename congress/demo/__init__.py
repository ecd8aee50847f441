"""Demo and scale data: the city of the seed (邵阳市) and builders shared by
``manage.py seed_demo`` and ``manage.py generate_scale_data``."""
