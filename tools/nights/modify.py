"""Change one number in 1% of the corpus' files: python modify.py RAW ROUND [SHARE_EVERY=100]"""
import re
import sys
from pathlib import Path

raw, rnd = Path(sys.argv[1]), int(sys.argv[2])
every = int(sys.argv[3]) if len(sys.argv) > 3 else 100
files = sorted(p for p in raw.rglob("*") if p.is_file())
num = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.年月日])")
changed = 0
for p in files[rnd % every::every]:
    text = p.read_text(encoding="utf-8")
    start = max(text.find("主动公开政府信息情况"), 0)
    m = num.search(text, start)
    if not m:
        continue
    text = text[:m.start()] + str(int(m.group(1)) + 1) + text[m.end():]
    p.write_text(text, encoding="utf-8")
    changed += 1
print(f"changed {changed} of {len(files)} files")
