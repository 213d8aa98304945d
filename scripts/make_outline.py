"""Build resources/basemap/japan_prefectures.geojson, the outline base map that needs no tiles.

Source: the prefecture outlines in the `japanmap` package (Apache-2.0, Saito Tsutomu): for each
prefecture, the area that holds its capital, as a ring of boundary segments. Run once, with the
package's wheel unpacked:  pip download --no-deps japanmap && unzip japanmap-*.whl -d jm
                          python scripts/make_outline.py jm/japanmap/japan.json
"""

import json
import sys
from pathlib import Path

NAMES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
    "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
    "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
    "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()


def main(source: str) -> None:
    points, prefectures = json.loads(Path(source).read_text())
    features = []
    for code, segments in enumerate(prefectures, start=1):
        ring = [
            [round(points[i][0][0], 4), round(points[i][0][1], 4)]
            for _, indexes in segments
            for i in indexes
        ]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": NAMES[code - 1]},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    out = Path(__file__).resolve().parent.parent / "resources/basemap/japan_prefectures.geojson"
    out.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"{out}: {len(features)} prefectures")


if __name__ == "__main__":
    main(sys.argv[1])
