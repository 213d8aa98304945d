<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>BackgroundImport</name>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>An import or export is still running.</source>
        <translation>取り込みまたは書き出しがまだ実行中です。</translation>
    </message>
    <message>
        <source>Stop it and close? Photos and posts imported so far are kept (import the same files again to finish); a layer being imported is not imported.</source>
        <translation>止めて閉じますか? ここまでに取り込んだ写真と投稿は保存されます(同じファイルをもう一度取り込むと続きを取り込みます)。取り込み中のレイヤーは取り込まれません。</translation>
    </message>
    <message>
        <source>Stop and close</source>
        <translation>止めて閉じる</translation>
    </message>
    <message>
        <source>Keep working</source>
        <translation>作業を続ける</translation>
    </message>
</context>
<context>
    <name>BaseMapMenu</name>
    <message>
        <source>Outline only (no tiles)</source>
        <translation>白地図のみ(タイルなし)</translation>
    </message>
    <message>
        <source>Add an MBTiles base map…</source>
        <translation>MBTiles 背景地図を追加…</translation>
    </message>
    <message>
        <source>Prepare offline area…</source>
        <translation>オフライン用に地域を準備…</translation>
    </message>
    <message>
        <source>Add an MBTiles base map</source>
        <translation>MBTiles 背景地図を追加</translation>
    </message>
    <message>
        <source>Base map</source>
        <translation>背景地図</translation>
    </message>
    <message>
        <source>The map&apos;s current view</source>
        <translation>地図に表示中の範囲</translation>
    </message>
    <message>
        <source>Every located report</source>
        <translation>位置のある全報告の範囲</translation>
    </message>
    <message>
        <source>%1 tiles: too many, choose fewer zoom levels</source>
        <translation>%1 枚: 多すぎます。ズームレベルを減らしてください</translation>
    </message>
    <message>
        <source>%1 tiles, %2 to download (about %3 MB)</source>
        <translation>%1 枚、うちダウンロード %2 枚(約 %3 MB)</translation>
    </message>
    <message>
        <source>Prepare offline area</source>
        <translation>オフライン用に地域を準備</translation>
    </message>
    <message>
        <source>Downloading tiles…</source>
        <translation>タイルをダウンロードしています…</translation>
    </message>
    <message>
        <source>%1 of %2 tiles are kept for offline use.</source>
        <translation>%2 枚中 %1 枚をオフライン用に保存しました。</translation>
    </message>
    <message>
        <source>Stopped: prepare the same area again to fetch the rest.</source>
        <translation>中断しました: 同じ地域をもう一度準備すると残りを取得します。</translation>
    </message>
    <message>
        <source>The tile server did not answer: try again when online.</source>
        <translation>タイルサーバーが応答しません: オンラインのときに再度お試しください。</translation>
    </message>
    <message>
        <source>Downloaded: %1, already kept: %2, not available: %3</source>
        <translation>ダウンロード: %1、保存済み: %2、取得できず: %3</translation>
    </message>
</context>
<context>
    <name>Bundles</name>
    <message>
        <source>Changes</source>
        <translation>変更</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>写真</translation>
    </message>
    <message>
        <source>Checking the photos</source>
        <translation>写真を確認しています</translation>
    </message>
    <message>
        <source>Applying the changes</source>
        <translation>変更を反映しています</translation>
    </message>
    <message>
        <source>Export bundle</source>
        <translation>バンドルを書き出す</translation>
    </message>
    <message>
        <source>Writing the bundle…</source>
        <translation>バンドルを書き出しています…</translation>
    </message>
    <message>
        <source>Import bundle</source>
        <translation>バンドルを取り込む</translation>
    </message>
    <message>
        <source>Importing the bundle…</source>
        <translation>バンドルを取り込んでいます…</translation>
    </message>
    <message>
        <source>%n change(s) written</source>
        <translation>変更 %n 件を書き出しました</translation>
    </message>
    <message>
        <source>%n photo(s) included</source>
        <translation>写真 %n 枚を含めました</translation>
    </message>
    <message>
        <source>Size: %1 MB</source>
        <translation>サイズ: %1 MB</translation>
    </message>
    <message>
        <source>%n photo(s) missing or damaged, left out</source>
        <translation>見つからないか壊れている写真 %n 枚は含めていません</translation>
    </message>
    <message>
        <source>%n change(s) applied</source>
        <translation>変更 %n 件を反映しました</translation>
    </message>
    <message>
        <source>%n already here</source>
        <translation>%n 件は反映済みでした</translation>
    </message>
    <message>
        <source>%n conflict(s) to settle</source>
        <translation>解決が必要な競合 %n 件</translation>
    </message>
    <message>
        <source>%n held for a newer gspace</source>
        <translation>%n 件は新しい gspace 用のため保留しました</translation>
    </message>
    <message>
        <source>%n photo(s) added</source>
        <translation>写真 %n 枚を追加しました</translation>
    </message>
    <message>
        <source>%n refused</source>
        <translation>%n 件は受け付けませんでした</translation>
    </message>
    <message>
        <source>View → Conflicts shows them side by side.</source>
        <translation>表示 → 競合 で、値を並べて確認できます。</translation>
    </message>
    <message>
        <source>gspace bundles</source>
        <translation>gspace バンドル</translation>
    </message>
</context>
<context>
    <name>ConflictActions</name>
    <message>
        <source>Conflicts</source>
        <translation>競合</translation>
    </message>
    <message>
        <source>&amp;Conflicts</source>
        <translation>競合(&amp;C)</translation>
    </message>
    <message>
        <source>Show the conflicts</source>
        <translation>競合を表示</translation>
    </message>
    <message>
        <source>conflicts: %1</source>
        <translation>競合: %1</translation>
    </message>
    <message>
        <source>Settle the conflict over %1</source>
        <translation>%1 の競合を解決</translation>
    </message>
    <message>
        <source>Cannot settle the conflict</source>
        <translation>競合を解決できません</translation>
    </message>
</context>
<context>
    <name>ConflictsPanel</name>
    <message>
        <source>No open conflicts.</source>
        <translation>未解決の競合はありません。</translation>
    </message>
    <message>
        <source>Another value:</source>
        <translation>別の値:</translation>
    </message>
    <message>
        <source>Use this value</source>
        <translation>この値を使う</translation>
    </message>
    <message>
        <source>(deleted elsewhere)</source>
        <translation>(別の端末で削除)</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>報告</translation>
    </message>
    <message>
        <source>Feature</source>
        <translation>地物</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>レイヤー</translation>
    </message>
    <message>
        <source>deleted on one laptop while edited on another</source>
        <translation>ある端末で削除され、別の端末で編集されました</translation>
    </message>
    <message numerus="yes">
        <source>changed on %n laptop(s) at once</source>
        <translation>
            <numerusform>%n 台の端末で同時に変更されました</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DetailPanel</name>
    <message>
        <source>No category</source>
        <translation>分類なし</translation>
    </message>
    <message>
        <source>No severity</source>
        <translation>重要度なし</translation>
    </message>
    <message>
        <source>Note (who checked, what was done)</source>
        <translation>メモ(確認者・対応内容)</translation>
    </message>
    <message>
        <source>History</source>
        <translation>履歴</translation>
    </message>
    <message>
        <source>All changes and restoring…</source>
        <translation>すべての変更と復元…</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>参照番号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分類</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>重要度</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Municipality</source>
        <translation>市区町村</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>投稿者</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>出典</translation>
    </message>
    <message>
        <source>Post</source>
        <translation>投稿</translation>
    </message>
    <message>
        <source>Placed by</source>
        <translation>位置の根拠</translation>
    </message>
    <message>
        <source>Reposts</source>
        <translation>リポスト数</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>カメラ</translation>
    </message>
    <message>
        <source>Altitude</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>撮影方向</translation>
    </message>
    <message>
        <source>Time from</source>
        <translation>時刻の出典</translation>
    </message>
    <message>
        <source>Pixels</source>
        <translation>画素数</translation>
    </message>
    <message>
        <source>Nearest open</source>
        <translation>最寄りの利用可能施設</translation>
    </message>
    <message>
        <source>EXIF as read</source>
        <translation>読み取ったEXIF</translation>
    </message>
    <message>
        <source>Select a report on the map or in the list.</source>
        <translation>地図または一覧で報告を選択してください。</translation>
    </message>
    <message>
        <source>No location yet: press P and click the map, or drag the report from the list onto the map.</source>
        <translation>位置がまだありません。P を押して地図をクリックするか、一覧から地図へドラッグしてください。</translation>
    </message>
    <message>
        <source>added</source>
        <translation>追加</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>category</source>
        <translation>分類</translation>
    </message>
    <message>
        <source>severity</source>
        <translation>重要度</translation>
    </message>
    <message>
        <source>note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>moved</source>
        <translation>位置を移動</translation>
    </message>
    <message>
        <source>marked as a duplicate</source>
        <translation>重複として統合</translation>
    </message>
    <message>
        <source>merged with duplicates</source>
        <translation>重複を統合</translation>
    </message>
    <message>
        <source>the coordinates in the post</source>
        <translation>投稿に付いた座標</translation>
    </message>
    <message>
        <source>the centre of the place it was tagged with: %1</source>
        <translation>タグ付けされた場所の中心: %1</translation>
    </message>
    <message>
        <source>a place named in its text: %1</source>
        <translation>本文中の地名: %1</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <source>Web map (HTML, opens without network)</source>
        <translation>Web地図(HTML、ネットワークなしで開けます)</translation>
    </message>
    <message>
        <source>Printed map (PDF)</source>
        <translation>印刷用地図(PDF)</translation>
    </message>
    <message>
        <source>Map image (PNG)</source>
        <translation>地図画像(PNG)</translation>
    </message>
    <message>
        <source>GeoPackage (QGIS)</source>
        <translation>GeoPackage(QGIS)</translation>
    </message>
    <message>
        <source>KMZ with photos (Google Earth)</source>
        <translation>写真付き KMZ(Google Earth)</translation>
    </message>
    <message>
        <source>KML (Google Earth)</source>
        <translation>KML(Google Earth)</translation>
    </message>
    <message>
        <source>GeoJSON</source>
        <translation>GeoJSON</translation>
    </message>
    <message>
        <source>CSV (Excel)</source>
        <translation>CSV(Excel)</translation>
    </message>
    <message>
        <source>Wrote %1: %2 reports, %3 reference features.</source>
        <translation>%1 を出力しました: 報告 %2 件、参照レイヤーの地物 %3 件。</translation>
    </message>
    <message>
        <source>%1 reports had no location and were left out.</source>
        <translation>位置のない報告 %1 件は含まれていません。</translation>
    </message>
    <message>
        <source>%1 reports lie far outside the map&apos;s area.</source>
        <translation>%1 件の報告は地図の範囲から遠く離れているため、最初の表示に含まれていません。</translation>
    </message>
    <message>
        <source>Export a map or file</source>
        <translation>地図・ファイルの出力</translation>
    </message>
    <message>
        <source>Exporting %1…</source>
        <translation>%1 を出力しています…</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>選択…</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>タイトル</translation>
    </message>
    <message>
        <source>For</source>
        <translation>用途</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>用紙</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Internal use (everything)</source>
        <translation>内部用(すべての情報)</translation>
    </message>
    <message>
        <source>Public (no names or handles, no photo GPS, no rejected reports, rescue requests to ~100 m)</source>
        <translation>公開用(氏名・アカウント、写真のGPS、却下した報告を除き、救助要請は約100 m単位に丸めます)</translation>
    </message>
    <message numerus="yes">
        <source>%n report(s): those the window shows (kinds and categories ticked in the layer panel), with the reference layers that are ticked.</source>
        <translation>
            <numerusform>報告 %n 件: 画面に表示中のもの(レイヤーパネルでチェックした種類・分類)と、チェックした参照レイヤーを出力します。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FileActions</name>
    <message>
        <source>Import photos</source>
        <translation>写真の取り込み</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>写真</translation>
    </message>
    <message>
        <source>Import a photo folder</source>
        <translation>写真フォルダの取り込み</translation>
    </message>
    <message>
        <source>Import a reference layer</source>
        <translation>参照レイヤーの取り込み</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>レイヤー</translation>
    </message>
    <message>
        <source>Import SNS posts</source>
        <translation>SNS 投稿の取り込み</translation>
    </message>
    <message>
        <source>Post exports</source>
        <translation>投稿のエクスポート</translation>
    </message>
    <message>
        <source>Import a shelter status snapshot</source>
        <translation>避難所の状況スナップショットを取り込む</translation>
    </message>
    <message>
        <source>Status snapshots</source>
        <translation>状況スナップショット</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Search text and authors</source>
        <translation>本文・投稿者を検索</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>解除</translation>
    </message>
    <message>
        <source>Show every report again</source>
        <translation>すべての報告を再表示</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>すべての種類</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>すべての分類</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>すべての状態</translation>
    </message>
    <message>
        <source>Located or not</source>
        <translation>位置の有無</translation>
    </message>
    <message>
        <source>Located</source>
        <translation>位置あり</translation>
    </message>
    <message>
        <source>All municipalities</source>
        <translation>すべての市区町村</translation>
    </message>
    <message>
        <source>%1 (all wards)</source>
        <translation>%1（全区）</translation>
    </message>
</context>
<context>
    <name>Histogram</name>
    <message>
        <source>No report times</source>
        <translation>日時のある報告はありません</translation>
    </message>
</context>
<context>
    <name>HistoryActions</name>
    <message>
        <source>&amp;Delete feature</source>
        <translation>地物を削除(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>履歴(&amp;H)…</translation>
    </message>
    <message>
        <source>Select a feature on the map first.</source>
        <translation>先に地図上で地物を選んでください。</translation>
    </message>
    <message>
        <source>Cannot delete</source>
        <translation>削除できません</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>%1 を削除</translation>
    </message>
    <message>
        <source>Deleted %1 (Edit → Undo brings it back).</source>
        <translation>%1 を削除しました(編集 → 元に戻す で戻せます)。</translation>
    </message>
    <message numerus="yes">
        <source>Delete the layer “%1” and its %n feature(s)? They leave the map, the lists and the exports on every laptop this incident syncs with. Edit → Undo brings them back.</source>
        <translation>
            <numerusform>レイヤー「%1」とその地物 %n 件を削除しますか?この事案を同期するすべてのパソコンで、地図・一覧・出力から消えます。編集 → 元に戻す で戻せます。</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete layer</source>
        <translation>レイヤーの削除</translation>
    </message>
    <message>
        <source>Delete layer %1</source>
        <translation>レイヤー %1 を削除</translation>
    </message>
    <message>
        <source>Cannot restore</source>
        <translation>元に戻せません</translation>
    </message>
    <message>
        <source>Restore %1</source>
        <translation>%1 を復元</translation>
    </message>
    <message numerus="yes">
        <source>Delete layer “%1” (%n feature(s))…</source>
        <translation>
            <numerusform>レイヤー「%1」(地物 %n 件)を削除…</numerusform>
        </translation>
    </message>
    <message>
        <source>Restore the deleted feature “%1”</source>
        <translation>削除した地物「%1」を復元</translation>
    </message>
    <message numerus="yes">
        <source>Restore the deleted layer “%1” (%n feature(s))</source>
        <translation>
            <numerusform>削除したレイヤー「%1」(地物 %n 件)を復元</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete “%1”</source>
        <translation>「%1」を削除</translation>
    </message>
    <message>
        <source>History of “%1”…</source>
        <translation>「%1」の履歴…</translation>
    </message>
    <message>
        <source>Select a report or a feature first.</source>
        <translation>先に報告か地物を選んでください。</translation>
    </message>
    <message>
        <source>It was already restored or deleted meanwhile: nothing changed.</source>
        <translation>その間にすでに復元または削除されていました。何も変えていません。</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>History</source>
        <translation>履歴</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>番号</translation>
    </message>
    <message>
        <source>When</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>誰が</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Restore these values</source>
        <translation>この変更の前の値に戻す</translation>
    </message>
    <message>
        <source>Put back what the chosen change replaced, as a new change that syncs</source>
        <translation>選んだ変更で置き換えられた値を、同期される新しい変更として書き戻します</translation>
    </message>
    <message>
        <source>created</source>
        <translation>追加</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>変更</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>restored</source>
        <translation>復元</translation>
    </message>
    <message>
        <source>conflict settled</source>
        <translation>競合を解決</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>報告</translation>
    </message>
    <message>
        <source>Feature</source>
        <translation>地物</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>レイヤー</translation>
    </message>
    <message>
        <source>These values are already there: nothing changed.</source>
        <translation>すでにこの値です。何も変えていません。</translation>
    </message>
</context>
<context>
    <name>IncidentChooser</name>
    <message>
        <source>gspace — choose an incident</source>
        <translation>gspace — 災害（インシデント）の選択</translation>
    </message>
    <message>
        <source>An incident is a folder that holds its reports, photos and layers. Open one, create a new one, or try the fictional demo.</source>
        <translation>インシデントは報告・写真・レイヤーを保存するフォルダです。既存のものを開くか、新規作成するか、架空のデモをお試しください。</translation>
    </message>
    <message>
        <source>Open an incident folder…</source>
        <translation>インシデントフォルダを開く…</translation>
    </message>
    <message>
        <source>Create a new incident…</source>
        <translation>新しいインシデントを作成…</translation>
    </message>
    <message>
        <source>Open the demo incident (fictional data)</source>
        <translation>デモを開く（架空のデータ）</translation>
    </message>
</context>
<context>
    <name>LayerImport</name>
    <message>
        <source>Importing %1…</source>
        <translation>%1 を取り込み中…</translation>
    </message>
    <message>
        <source>Import a reference layer</source>
        <translation>参照レイヤーの取り込み</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>Encoding</source>
        <translation>文字コード</translation>
    </message>
    <message>
        <source>Coordinate system</source>
        <translation>座標系</translation>
    </message>
    <message>
        <source>JGD2011 latitude/longitude (or e.g. EPSG:6677 for X/Y in zone IX)</source>
        <translation>JGD2011 緯度経度（X/Y なら例：第IX系は EPSG:6677）</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>レイヤー</translation>
    </message>
    <message>
        <source>Columns (change where the guess is wrong)</source>
        <translation>列の対応（推定が違うところを直してください）</translation>
    </message>
    <message>
        <source>First rows of the file</source>
        <translation>ファイルの先頭行</translation>
    </message>
</context>
<context>
    <name>LayerImportDialog</name>
    <message>
        <source>Into layer</source>
        <translation>取り込み先レイヤー</translation>
    </message>
    <message>
        <source>All layers (%1)</source>
        <translation>すべてのレイヤー（%1）</translation>
    </message>
    <message>
        <source>Encoding (read as %1)</source>
        <translation>文字コード（%1 として読み込み）</translation>
    </message>
    <message>
        <source>New layer “%1”</source>
        <translation>新しいレイヤー「%1」</translation>
    </message>
    <message>
        <source>%1 (%2 features)</source>
        <translation>%1（%2件）</translation>
    </message>
    <message>
        <source>No column holds the names: choose it under Field “name”, or the features will have no names.</source>
        <translation>名称の列が見つかりません。項目「name」で名称の列を選んでください（選ばないと名称のない地物になります）。</translation>
    </message>
    <message>
        <source>Coordinate system (the file&apos;s is unreadable: give it)</source>
        <translation>座標系（ファイルの指定が読めません。指定してください）</translation>
    </message>
    <message>
        <source>Coordinate system (the file&apos;s: %1)</source>
        <translation>座標系（ファイルの指定：%1）</translation>
    </message>
    <message>
        <source>Coordinate system</source>
        <translation>座標系</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>項目</translation>
    </message>
    <message>
        <source>Source column</source>
        <translation>元の列</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Reports</source>
        <translation>報告</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>分類</translation>
    </message>
    <message>
        <source>Reference layers</source>
        <translation>参照レイヤー</translation>
    </message>
    <message>
        <source>Base map</source>
        <translation>背景地図</translation>
    </message>
    <message>
        <source>Outline of Japan</source>
        <translation>日本の輪郭</translation>
    </message>
    <message>
        <source>Municipal borders and names</source>
        <translation>市区町村の境界と名称</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>編集(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>確認(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>設定(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Open incident…</source>
        <translation>インシデントを開く(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Zoom to all</source>
        <translation>全体を表示(&amp;Z)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Base map</source>
        <translation>背景地図(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;About gspace</source>
        <translation>gspace について(&amp;A)</translation>
    </message>
    <message>
        <source>Import &amp;photos…</source>
        <translation>写真を取り込む(&amp;P)…</translation>
    </message>
    <message>
        <source>Import a photo &amp;folder…</source>
        <translation>写真フォルダを取り込む(&amp;F)…</translation>
    </message>
    <message>
        <source>Import a reference &amp;layer…</source>
        <translation>参照レイヤーを取り込む(&amp;L)…</translation>
    </message>
    <message>
        <source>Import &amp;SNS posts…</source>
        <translation>SNS 投稿を取り込む(&amp;S)…</translation>
    </message>
    <message>
        <source>Import a shelter s&amp;tatus snapshot…</source>
        <translation>避難所の状況スナップショットを取り込む(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Export a map or file…</source>
        <translation>地図・ファイルを出力(&amp;E)…</translation>
    </message>
    <message>
        <source>Export &amp;bundle…</source>
        <translation>バンドルを書き出す(&amp;B)…</translation>
    </message>
    <message>
        <source>Import b&amp;undle…</source>
        <translation>バンドルを取り込む(&amp;U)…</translation>
    </message>
    <message>
        <source>Place on map</source>
        <translation>地図に配置</translation>
    </message>
    <message>
        <source>Place the selected report: click the map (P)</source>
        <translation>選択した報告を配置：地図をクリック (P)</translation>
    </message>
    <message>
        <source>Needs location</source>
        <translation>位置未設定</translation>
    </message>
    <message>
        <source>List only reports without a location</source>
        <translation>位置のない報告だけを一覧表示</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>ツール</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>レイヤー</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>報告</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <source>Shelters</source>
        <translation>避難所一覧</translation>
    </message>
    <message numerus="yes">
        <source>%n report(s)</source>
        <translation>
            <numerusform>報告 %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n shown</source>
        <translation>
            <numerusform>表示 %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n without location</source>
        <translation>
            <numerusform>位置なし %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n reference feature(s)</source>
        <translation>
            <numerusform>参照地物 %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n report(s) selected</source>
        <translation>
            <numerusform>%n 件を選択</numerusform>
        </translation>
    </message>
    <message>
        <source>No unreviewed report in the list.</source>
        <translation>一覧に未確認の報告はありません。</translation>
    </message>
    <message>
        <source>Click the map where the report belongs.</source>
        <translation>報告の場所を地図上でクリックしてください。</translation>
    </message>
    <message>
        <source>Open incident folder</source>
        <translation>インシデントフォルダを開く</translation>
    </message>
    <message>
        <source>Cannot open incident</source>
        <translation>インシデントを開けません</translation>
    </message>
    <message>
        <source>About gspace</source>
        <translation>gspace について</translation>
    </message>
    <message>
        <source>gspace %1 — disaster-information collection, offline first.</source>
        <translation>gspace %1 — 災害情報収集ツール（オフライン優先）</translation>
    </message>
</context>
<context>
    <name>OfflineArea</name>
    <message>
        <source>Prepare offline area</source>
        <translation>オフライン用に地域を準備</translation>
    </message>
    <message>
        <source>Download the base map&apos;s tiles of an area now, so that the map shows them with no network.</source>
        <translation>地域の背景地図タイルを今のうちにダウンロードし、ネットワークがなくても表示できるようにします。</translation>
    </message>
    <message>
        <source>Base map</source>
        <translation>背景地図</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>地域</translation>
    </message>
    <message>
        <source>Zoom levels</source>
        <translation>ズームレベル</translation>
    </message>
    <message>
        <source>to</source>
        <translation>～</translation>
    </message>
    <message>
        <source>Estimate</source>
        <translation>見積もり</translation>
    </message>
</context>
<context>
    <name>PhotoImport</name>
    <message>
        <source>Importing photos…</source>
        <translation>写真を取り込み中…</translation>
    </message>
    <message>
        <source>%n photo(s) imported</source>
        <translation>写真 %n 枚を取り込みました</translation>
    </message>
    <message>
        <source>%n need(s) a location</source>
        <translation>位置未設定 %n 枚</translation>
    </message>
    <message>
        <source>%n already imported</source>
        <translation>取り込み済み %n 件</translation>
    </message>
    <message>
        <source>%n skipped</source>
        <translation>スキップ %n 件</translation>
    </message>
    <message>
        <source>%n video(s) not imported</source>
        <translation>動画 %n 件(取り込みません)</translation>
    </message>
    <message>
        <source>%n other file(s) not imported</source>
        <translation>画像以外のファイル %n 件(取り込みません)</translation>
    </message>
    <message>
        <source>%n not found</source>
        <translation>見つからないパス %n 件</translation>
    </message>
    <message>
        <source>Cancelled: %1 of %2 photos kept; import the same files again to finish.</source>
        <translation>キャンセルしました: %2 枚中 %1 枚の写真を保存済みです。同じファイルをもう一度取り込むと続きを取り込みます。</translation>
    </message>
    <message>
        <source>Import photos</source>
        <translation>写真の取り込み</translation>
    </message>
</context>
<context>
    <name>PhotoView</name>
    <message>
        <source>No preview</source>
        <translation>プレビューなし</translation>
    </message>
</context>
<context>
    <name>ReportsTableModel</name>
    <message>
        <source>Time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分類</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>重要度</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>参照番号</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>本文</translation>
    </message>
</context>
<context>
    <name>ReviewActions</name>
    <message>
        <source>&amp;Next unreviewed report</source>
        <translation>次の未確認の報告(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Previous unreviewed report</source>
        <translation>前の未確認の報告(&amp;P)</translation>
    </message>
    <message>
        <source>Mark as %1</source>
        <translation>%1にする</translation>
    </message>
    <message>
        <source>&amp;Merge selected duplicates into the current report</source>
        <translation>選択した重複を現在の報告に統合(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>元に戻す(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>やり直す(&amp;R)</translation>
    </message>
    <message>
        <source>Cannot change the report</source>
        <translation>報告を変更できません</translation>
    </message>
    <message numerus="yes">
        <source>Set %1 of %n report(s)</source>
        <translation>
            <numerusform>%n 件の %1 を変更</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Mark %n report(s) as %1</source>
        <translation>
            <numerusform>%n 件を%1にする</numerusform>
        </translation>
    </message>
    <message>
        <source>Select two or more reports to merge (the current one is kept).</source>
        <translation>統合する報告を2件以上選択してください(現在の報告が残ります)。</translation>
    </message>
    <message numerus="yes">
        <source>Merge %n duplicate(s)</source>
        <translation>
            <numerusform>重複 %n 件を統合</numerusform>
        </translation>
    </message>
    <message>
        <source>Move a report</source>
        <translation>報告の位置を移動</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Your name (in report histories)</source>
        <translation>氏名(報告の履歴に記録)</translation>
    </message>
    <message>
        <source>Incident time zone</source>
        <translation>災害のタイムゾーン</translation>
    </message>
    <message>
        <source>Default base map</source>
        <translation>既定の背景地図</translation>
    </message>
    <message>
        <source>Tile cache size</source>
        <translation>タイルキャッシュの上限</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Watch folder (shelter status snapshots)</source>
        <translation>監視フォルダー（避難所の状況スナップショット）</translation>
    </message>
    <message>
        <source>none: import snapshots from the File menu</source>
        <translation>なし：ファイルメニューから取り込む</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>選択…</translation>
    </message>
</context>
<context>
    <name>ShelterActions</name>
    <message>
        <source>Colour shelters by &amp;occupancy</source>
        <translation>避難所を収容率で色分け(&amp;O)</translation>
    </message>
    <message>
        <source>Change the situation of %1</source>
        <translation>%1 の状況を変更</translation>
    </message>
    <message>
        <source>%1 free</source>
        <translation>空き %1 人</translation>
    </message>
    <message>
        <source>room (no numbers)</source>
        <translation>空きあり（人数不明）</translation>
    </message>
    <message>
        <source>Nearest shelters with room here</source>
        <translation>ここから近い空きのある避難所</translation>
    </message>
    <message>
        <source>Nearest shelters with room</source>
        <translation>近くの空きのある避難所</translation>
    </message>
    <message>
        <source>No open shelter with room.</source>
        <translation>空きのある開設中の避難所はありません。</translation>
    </message>
</context>
<context>
    <name>ShelterMap</name>
    <message>
        <source>under 50 %</source>
        <translation>50 % 未満</translation>
    </message>
    <message>
        <source>50–80 %</source>
        <translation>50–80 %</translation>
    </message>
    <message>
        <source>80–100 %</source>
        <translation>80–100 %</translation>
    </message>
    <message>
        <source>full</source>
        <translation>満員</translation>
    </message>
    <message>
        <source>no numbers</source>
        <translation>人数不明</translation>
    </message>
    <message>
        <source>not open</source>
        <translation>未開設・閉鎖</translation>
    </message>
    <message>
        <source>urgent need</source>
        <translation>至急の支援要請</translation>
    </message>
    <message>
        <source>Shelter occupancy</source>
        <translation>避難所の収容率</translation>
    </message>
    <message>
        <source>Shelter needs</source>
        <translation>避難所の要請</translation>
    </message>
</context>
<context>
    <name>SheltersDock</name>
    <message>
        <source>Whole incident</source>
        <translation>災害全体</translation>
    </message>
    <message>
        <source>Every state</source>
        <translation>すべての状態</translation>
    </message>
    <message>
        <source>Filter by name, address or municipality</source>
        <translation>名称・住所・市区町村で絞り込み</translation>
    </message>
    <message>
        <source>Only stale</source>
        <translation>古い報告のみ</translation>
    </message>
    <message>
        <source>Stale after</source>
        <translation>報告が古いとみなす時間</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 時間</translation>
    </message>
    <message>
        <source>Totals</source>
        <translation>集計</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>開設</translation>
    </message>
    <message>
        <source>Evacuees</source>
        <translation>避難者</translation>
    </message>
    <message>
        <source>Free places</source>
        <translation>空き</translation>
    </message>
</context>
<context>
    <name>SheltersModel</name>
    <message>
        <source>Shelter</source>
        <translation>避難所</translation>
    </message>
    <message>
        <source>Municipality</source>
        <translation>市区町村</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Evacuees / capacity</source>
        <translation>避難者数 / 収容人数</translation>
    </message>
    <message>
        <source>Crowding</source>
        <translation>混雑状況</translation>
    </message>
    <message>
        <source>Open needs</source>
        <translation>未対応の要請</translation>
    </message>
    <message>
        <source>Last report</source>
        <translation>最終報告</translation>
    </message>
    <message>
        <source>No report for longer than the chosen age</source>
        <translation>設定した時間より長く報告がありません</translation>
    </message>
</context>
<context>
    <name>Situation</name>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>Capacity</source>
        <translation>収容人数</translation>
    </message>
    <message>
        <source>Evacuees now</source>
        <translation>現在の避難者数</translation>
    </message>
    <message>
        <source>Crowding</source>
        <translation>混雑状況</translation>
    </message>
    <message>
        <source>Need: water</source>
        <translation>要請：水</translation>
    </message>
    <message>
        <source>Need: food</source>
        <translation>要請：食料</translation>
    </message>
    <message>
        <source>Need: blankets</source>
        <translation>要請：毛布</translation>
    </message>
    <message>
        <source>Need: medical care</source>
        <translation>要請：医療</translation>
    </message>
    <message>
        <source>Need: toilets</source>
        <translation>要請：トイレ</translation>
    </message>
    <message>
        <source>Need: power</source>
        <translation>要請：電源</translation>
    </message>
    <message>
        <source>Other needs</source>
        <translation>その他の要請</translation>
    </message>
    <message>
        <source>Person in charge</source>
        <translation>担当者</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>連絡先</translation>
    </message>
    <message>
        <source>Last report</source>
        <translation>最終報告</translation>
    </message>
    <message>
        <source>Hazards</source>
        <translation>対象とする災害</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>電話番号</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>時間</translation>
    </message>
    <message>
        <source>Supply method</source>
        <translation>給水方法</translation>
    </message>
</context>
<context>
    <name>SituationPanel</name>
    <message>
        <source>Situation</source>
        <translation>状況</translation>
    </message>
    <message>
        <source>Evacuees over time</source>
        <translation>避難者数の推移</translation>
    </message>
    <message>
        <source>set when a change is saved</source>
        <translation>変更を保存すると記録されます</translation>
    </message>
    <message>
        <source>a whole number, e.g. 800</source>
        <translation>整数（例: 800）</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数値</translation>
    </message>
    <message>
        <source>a date, e.g. 2024-09-01</source>
        <translation>日付（例: 2024-09-01）</translation>
    </message>
</context>
<context>
    <name>SnsImport</name>
    <message>
        <source>Import SNS posts</source>
        <translation>SNS 投稿の取り込み</translation>
    </message>
    <message>
        <source>Importing posts…</source>
        <translation>投稿を取り込んでいます…</translation>
    </message>
    <message>
        <source>%n post(s) imported</source>
        <translation>投稿 %n 件を取り込みました</translation>
    </message>
    <message>
        <source>%n placed on the map</source>
        <translation>地図に配置 %n 件</translation>
    </message>
    <message>
        <source>%n need(s) a location</source>
        <translation>位置が必要 %n 件</translation>
    </message>
    <message>
        <source>%n repost(s) attached</source>
        <translation>リポスト %n 件を集約</translation>
    </message>
    <message>
        <source>%n already imported</source>
        <translation>取り込み済み %n 件</translation>
    </message>
    <message>
        <source>%n skipped</source>
        <translation>スキップ %n 件</translation>
    </message>
    <message>
        <source>Cancelled: %1 posts kept; import the same files again to finish.</source>
        <translation>キャンセルしました: %1 件の投稿を保存済みです。同じファイルをもう一度取り込むと続きを取り込みます。</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>Detected</source>
        <translation>判定結果</translation>
    </message>
    <message>
        <source>Posts</source>
        <translation>投稿</translation>
    </message>
    <message>
        <source>First posts</source>
        <translation>最初の投稿</translation>
    </message>
</context>
<context>
    <name>SnsImportDialog</name>
    <message numerus="yes">
        <source>%n post(s)</source>
        <translation>
            <numerusform>投稿 %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with coordinates</source>
        <translation>
            <numerusform>座標付き %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tagged with a place</source>
        <translation>
            <numerusform>場所タグ付き %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n placed by an address or place name in the text</source>
        <translation>
            <numerusform>本文の住所・地名で配置 %n 件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n repost(s), attached to their originals</source>
        <translation>
            <numerusform>リポスト %n 件(元の投稿に集約)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) to skip</source>
        <translation>
            <numerusform>スキップ %n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>(counted from the first 20,000 records of each file)</source>
        <translation>(各ファイルの先頭 20,000 件から集計)</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>日時</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>投稿者</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>本文</translation>
    </message>
</context>
<context>
    <name>StatusImport</name>
    <message>
        <source>Import a shelter status snapshot</source>
        <translation>避難所の状況スナップショットを取り込む</translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>%1 を取り込み中…</translation>
    </message>
</context>
<context>
    <name>Timeline</name>
    <message>
        <source>Pause</source>
        <translation>一時停止</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>再生</translation>
    </message>
    <message>
        <source>Step the time window forward an hour at a time</source>
        <translation>時間窓を1時間ずつ進めます</translation>
    </message>
    <message>
        <source>Drag to choose a time window; drag it to move; double-click for all times</source>
        <translation>ドラッグで時間窓を選択、窓をドラッグで移動、ダブルクリックで全期間</translation>
    </message>
    <message>
        <source>All times</source>
        <translation>全期間</translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n 時間</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ValueCard</name>
    <message>
        <source>Deleted</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>deleted by %1</source>
        <translation>%1 が削除</translation>
    </message>
    <message>
        <source>by %1</source>
        <translation>%1</translation>
    </message>
    <message>
        <source>Keep it deleted</source>
        <translation>削除のままにする</translation>
    </message>
    <message>
        <source>Restore with this value</source>
        <translation>この値で復元する</translation>
    </message>
    <message>
        <source>Take this value</source>
        <translation>この値にする</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>Hub settings</source>
        <translation>ハブの設定</translation>
    </message>
    <message>
        <source>kept (type a new one to replace it)</source>
        <translation>保存済み(置き換えるときは新しいものを入力)</translation>
    </message>
    <message>
        <source>from the hub&apos;s administrator</source>
        <translation>ハブの管理者から受け取ったもの</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>off</source>
        <translation>しない</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>ハブのアドレス</translation>
    </message>
    <message>
        <source>Incident on the hub</source>
        <translation>ハブ上の事案名</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>トークン</translation>
    </message>
    <message>
        <source>Sync by itself every</source>
        <translation>自動同期の間隔</translation>
    </message>
    <message>
        <source>The token is kept in this computer&apos;s keyring or in a file only you can read, never in the incident folder.</source>
        <translation>トークンはこのパソコンのキーリング、またはあなただけが読めるファイルに保存されます。事案フォルダーには保存されません。</translation>
    </message>
    <message>
        <source>Give the hub&apos;s address, e.g. https://hub.example:8780</source>
        <translation>ハブのアドレスを入力してください(例: https://hub.example:8780)</translation>
    </message>
    <message>
        <source>Give the incident&apos;s name on the hub.</source>
        <translation>ハブ上の事案名を入力してください。</translation>
    </message>
    <message>
        <source>Give the token from the hub&apos;s administrator.</source>
        <translation>ハブの管理者から受け取ったトークンを入力してください。</translation>
    </message>
    <message>
        <source>Cannot save the settings on this computer.</source>
        <translation>このパソコンに設定を保存できません。</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>Token refused</source>
        <translation>トークンが拒否されました</translation>
    </message>
    <message>
        <source>Not allowed on the hub</source>
        <translation>ハブで許可されていません</translation>
    </message>
    <message>
        <source>Hub busy: try again in a minute</source>
        <translation>ハブが混雑しています。1 分後にもう一度</translation>
    </message>
    <message>
        <source>Sync cancelled</source>
        <translation>同期を中止しました</translation>
    </message>
    <message>
        <source>Cannot write the incident</source>
        <translation>事案に書き込めません</translation>
    </message>
    <message>
        <source>No hub set up</source>
        <translation>ハブ未設定</translation>
    </message>
    <message>
        <source>No token for the hub</source>
        <translation>ハブのトークンがありません</translation>
    </message>
    <message>
        <source>Hub error: try again later</source>
        <translation>ハブのエラー。後でもう一度</translation>
    </message>
    <message>
        <source>S&amp;ync now</source>
        <translation>今すぐ同期(&amp;Y)</translation>
    </message>
    <message>
        <source>Sync with the hub now (Ctrl+Shift+S)</source>
        <translation>今すぐハブと同期 (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Cancel the sync</source>
        <translation>同期を中止</translation>
    </message>
    <message>
        <source>&amp;Hub settings…</source>
        <translation>ハブの設定(&amp;H)…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is about %1 hours ahead of the hub&apos;s. The hub gave %n change(s) its own time. Set the clock right (Settings → Date and time).</source>
        <translation>このパソコンの時計がハブより約 %1 時間進んでいます。ハブが %n 件の変更の時刻をハブの時刻に直しました。時計を合わせてください(設定 → 日付と時刻)。</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is about %1 hours ahead of the hub&apos;s. Set the clock right (Settings → Date and time) before editing.</source>
        <translation>このパソコンの時計がハブより約 %1 時間進んでいます。編集する前に時計を合わせてください(設定 → 日付と時刻)。</translation>
    </message>
    <message>
        <source>Set the hub up: File → Hub settings…</source>
        <translation>ハブを設定してください: ファイル → ハブの設定…</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>同期中…</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>最新</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>同期済み</translation>
    </message>
    <message>
        <source>%n change(s) pending</source>
        <translation>未送信 %n 件</translation>
    </message>
    <message>
        <source>last sync %1</source>
        <translation>最終同期 %1</translation>
    </message>
    <message>
        <source>not synced yet</source>
        <translation>未同期</translation>
    </message>
    <message>
        <source>Hub: %1 (incident %2)</source>
        <translation>ハブ: %1(事案 %2)</translation>
    </message>
    <message>
        <source>Last successful sync: %1</source>
        <translation>最後に成功した同期: %1</translation>
    </message>
    <message>
        <source>Refused by the hub (kept here, sent again):</source>
        <translation>ハブが受け付けなかった変更(この端末に保持し、再送します):</translation>
    </message>
    <message>
        <source>Click to sync now.</source>
        <translation>クリックすると今すぐ同期します。</translation>
    </message>
</context>
<context>
    <name>Invites</name>
    <message>
        <source>Cannot reach the hub: check the network.</source>
        <translation>ハブに接続できません。ネットワークを確認してください。</translation>
    </message>
    <message>
        <source>The hub refused the token: set a new one in File → Hub settings…</source>
        <translation>ハブがトークンを受け付けません。ファイル → ハブの設定… で新しいトークンを設定してください。</translation>
    </message>
    <message>
        <source>This token may not manage this incident&apos;s invites (analyst or admin).</source>
        <translation>このトークンではこの事案の招待を管理できません(分析担当または管理者のトークンが必要です)。</translation>
    </message>
    <message>
        <source>The hub is busy: try again in a minute.</source>
        <translation>ハブが混み合っています。1 分ほどしてからもう一度試してください。</translation>
    </message>
    <message>
        <source>The hub has no such incident.</source>
        <translation>ハブにこの事案がありません。</translation>
    </message>
    <message>
        <source>The hub has no such invite any more.</source>
        <translation>この招待はハブにもうありません。</translation>
    </message>
    <message>
        <source>The hub refused these settings for an invite.</source>
        <translation>ハブがこの招待の設定を受け付けませんでした。</translation>
    </message>
    <message>
        <source>QR codes need the qrcode package (gspace[hub]).</source>
        <translation>QR コードには qrcode パッケージ(gspace[hub])が必要です。</translation>
    </message>
    <message>
        <source>Set the hub and token up first: File → Hub settings…</source>
        <translation>先にハブとトークンを設定してください: ファイル → ハブの設定…</translation>
    </message>
    <message>
        <source>Cannot write that file.</source>
        <translation>そのファイルに書き込めません。</translation>
    </message>
    <message>
        <source>The hub answered with an error: try again.</source>
        <translation>ハブがエラーを返しました。もう一度試してください。</translation>
    </message>
    <message>
        <source>&amp;Volunteer invites…</source>
        <translation>ボランティア招待(&amp;V)…</translation>
    </message>
    <message>
        <source>Volunteer invites need an analyst or admin token; this one is an %1 token. Ask the hub&apos;s administrator.</source>
        <translation>ボランティア招待には分析担当(analyst)または管理者(admin)のトークンが必要です。このトークンは %1 です。ハブの管理者に依頼してください。</translation>
    </message>
    <message>
        <source>Links and QR codes that let volunteers&apos; phones send reports</source>
        <translation>ボランティアのスマートフォンから報告を送れるリンクと QR コード</translation>
    </message>
    <message>
        <source>Volunteer invites — %1</source>
        <translation>ボランティア招待 — %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名前</translation>
    </message>
    <message>
        <source>Phones</source>
        <translation>端末数</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>also stop the phones that joined</source>
        <translation>参加済みの端末も停止する</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>取り消す…</translation>
    </message>
    <message>
        <source>e.g. Shelter A</source>
        <translation>例: 避難所A</translation>
    </message>
    <message>
        <source>never</source>
        <translation>なし</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 日間</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>上限なし</translation>
    </message>
    <message>
        <source>The hub&apos;s address as volunteers&apos; phones reach it, e.g. https://192.168.1.10:8780</source>
        <translation>ボランティアのスマートフォンから見たハブのアドレス(例: https://192.168.1.10:8780)</translation>
    </message>
    <message>
        <source>Create invite</source>
        <translation>招待を作成</translation>
    </message>
    <message>
        <source>Phones may join for</source>
        <translation>参加できる期間</translation>
    </message>
    <message>
        <source>Phones at most</source>
        <translation>端末数の上限</translation>
    </message>
    <message>
        <source>Hub address for phones</source>
        <translation>スマートフォン用のハブのアドレス</translation>
    </message>
    <message>
        <source>New invite</source>
        <translation>新しい招待</translation>
    </message>
    <message>
        <source>The link is shown only now (the hub keeps no copy): copy it, save the QR code or the poster before closing.</source>
        <translation>リンクは今だけ表示されます(ハブには控えが残りません)。閉じる前にコピーするか、QR コードかポスターを保存してください。</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>リンクをコピー</translation>
    </message>
    <message>
        <source>Save QR code…</source>
        <translation>QR コードを保存…</translation>
    </message>
    <message>
        <source>Poster (PDF)…</source>
        <translation>ポスター(PDF)…</translation>
    </message>
    <message>
        <source>The new invite&apos;s link</source>
        <translation>新しい招待のリンク</translation>
    </message>
    <message>
        <source>Give the hub&apos;s address as phones reach it, e.g. %1</source>
        <translation>スマートフォンから見たハブのアドレスを入力してください(例: %1)</translation>
    </message>
    <message>
        <source>Select the invite to revoke.</source>
        <translation>取り消す招待を選んでください。</translation>
    </message>
    <message>
        <source>Revoke the invite “%1”? No new phone can join.</source>
        <translation>招待「%1」を取り消しますか?新しい端末は参加できなくなります。</translation>
    </message>
    <message>
        <source>The phones that joined cannot send any more.</source>
        <translation>参加済みの端末も送信できなくなります。</translation>
    </message>
    <message>
        <source>Save QR code</source>
        <translation>QR コードを保存</translation>
    </message>
    <message>
        <source>Save poster</source>
        <translation>ポスターを保存</translation>
    </message>
    <message>
        <source>open</source>
        <translation>受付中</translation>
    </message>
    <message>
        <source>full</source>
        <translation>満員</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>期限切れ</translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>取り消し済み</translation>
    </message>
</context>
</TS>
