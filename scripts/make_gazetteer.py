"""Build resources/gazetteer/municipalities.tsv, the municipality gazetteer that ships with gspace.

Source: `jp_geocode.json` of the `JpGeocode` package (MIT, m0zu): a centroid for each of Japan's
1,741 municipalities, keyed "prefecture,municipality". Run once, with the wheel unpacked:
    pip download --no-deps JpGeocode==0.3.1 && unzip JpGeocode-*.whl -d jg
    python scripts/make_gazetteer.py jg/JpGeocode/data/jp_geocode.json
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "gazetteer" / "municipalities.tsv"


def main(source: str) -> None:
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    lines = ["prefecture\tmunicipality\tlat\tlon"]
    for key, point in data.items():
        prefecture, municipality = key.split(",")
        lines.append(f"{prefecture}\t{municipality}\t{point['lat']:.5f}\t{point['lng']:.5f}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} municipalities written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
