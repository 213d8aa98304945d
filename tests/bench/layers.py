"""Benchmark: importing a large reference layer (not run by CI).

    .venv/bin/python tests/bench/layers.py [--rows 200000]

Writes a CP932 CSV in the national standard evacuation-site layout and prints, in the same
run, gspace's whole import (encoding detection, column mapping, coordinate checks, the store
write with its indexes and change log) against `geopandas.read_file` + `to_crs` of the same
file alone, and their ratio. Needs geopandas (pip install geopandas).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

HEADER = (
    "全国地方公共団体コード,ID,名称,名称_カナ,名称_英字,所在地_全国地方公共団体コード,町字ID,"
    "所在地_連結表記,所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,建物名等(方書),"
    "緯度,経度,標高,電話番号,内線番号,連絡先メールアドレス,連絡先FormURL,"
    "連絡先備考（その他、SNSなど）,郵便番号,市区町村コード,地方公共団体名,災害種別_洪水,"
    "災害種別_崖崩れ、土石流及び地滑り,災害種別_高潮,災害種別_地震,災害種別_津波,"
    "災害種別_大規模な火事,災害種別_内水氾濫,災害種別_火山現象,指定避難所との重複,想定収容人数,"
    "対象となる町会・自治会,URL,画像"
)


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    lines = [HEADER]
    for i in range(rows):
        lat, lon = 31 + rng.random() * 12, 129 + rng.random() * 13
        town = f"中央区{i % 99}丁目"
        lines.append(
            f"432016,E{i:08d},第{i}避難所,ダイ{i}ヒナンジョ,,432016,,熊本県熊本市{town},"
            f"熊本県,熊本市,{town},{i % 30}-{i % 7},,{lat:.6f},{lon:.6f},,"
            f"096-000-{i % 10000:04d},,,,,860-0000,432016,熊本市,1,1,,1,,1,,,1,"
            f"{rng.randrange(50, 900)},,,"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    import geopandas

    from gspace.ingest.layers import import_layer
    from gspace.store.incident import Incident

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "evacuation_space.csv"
        write_csv(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        start = time.perf_counter()
        table = geopandas.read_file(csv_path, encoding="cp932")
        points = geopandas.points_from_xy(table["経度"].astype(float), table["緯度"].astype(float))
        frame = geopandas.GeoDataFrame(table, geometry=points, crs="EPSG:6668").to_crs(4326)
        floor = time.perf_counter() - start
        assert len(frame) == args.rows
        with Incident.create(Path(tmp) / "incident") as incident:
            start = time.perf_counter()
            summary = import_layer(incident, csv_path, "shelter")
            ours = time.perf_counter() - start
        assert summary.added == args.rows, summary.line()
        print(f"{args.rows:,} rows, {size:.0f} MB CP932 CSV")
        print(f"  geopandas.read_file + to_crs   : {floor:6.2f} s")
        print(f"  gspace import layer (stored)   : {ours:6.2f} s")
        print(f"  ratio gspace / read-only floor : {ours / floor:6.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
