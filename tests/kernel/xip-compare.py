#!/usr/bin/env python3
"""xip-compare.py REPORT.json CHECK.json QEMU.out: the kernel's page-by-page
in-place mapping (qemu-xip.sh `xippages` / `xipseg` lines) against
(a) the planner's report (`cramfs build --json` "xip") and
(b) the checker's prediction (`cramfs check --xip --json` "xip").

From the report: a mapping at page P of N pages (whole file at 0, each ELF
segment as the loader maps it) is in place for the in-place pages that
follow P without a gap (the kernel extends a direct mapping while the next
block sits one page further, format 8.2), none for a writable segment, and
none for files the planner did not plan.  Prints one `ok:`/`FAIL:` line per
file and a last line `N compared, M mismatches`; exit 1 on a mismatch.

With REPORT "-" only the checker is compared (crafted images).  A file the
checker flags with the kernel's read bug (format 18 #1) may show a content
mismatch (mapping right, read() zeros).
"""
import json
import sys


def page_set(runs):
    pages = set()
    for part in filter(None, runs.split(',')):
        a, _, b = part.partition('-')
        pages.update(range(int(a), int(b or a) + 1))
    return pages


def expected(pages, pgoff, n, writable):
    if writable:
        return '0' * n
    k = 0
    while k < n and pgoff + k in pages:
        k += 1
    return '1' * k + '0' * (n - k)


def predicted(entry, n):
    k = entry['in_place'] if entry else 0
    return '1' * k + '0' * (n - k)


def kernel_lines(path):
    whole, segs = {}, {}
    for line in open(path, encoding='utf-8', errors='replace'):
        f = line.split()
        if len(f) < 3 or f[0] not in ('xippages', 'xipseg'):
            continue
        kv = dict(x.split('=', 1) for x in f[3:] if '=' in x)
        if f[0] == 'xippages':
            whole[f[1]] = kv
        elif f[2] != '-':
            segs.setdefault(f[1], []).append(kv)
    return whole, segs


def main():
    # REPORT "-": no planner (an image crafted by other means)
    report = json.load(open(sys.argv[1]))['xip'] if sys.argv[1] != '-' else None
    check = json.load(open(sys.argv[2]))['xip']
    whole, segs = kernel_lines(sys.argv[3])
    planned = {f['path']: f for f in report['files']} if report else {}
    checked = {f['path']: f for f in check.get('per_file', [])}
    compared = bad = 0
    for path, kv in sorted(whole.items()):
        plan = planned.get(path)
        pages = page_set(plan['runs']) if plan else set()
        pred = checked.get(path)
        problems = []
        n = int(kv['pages'])
        want = expected(pages, 0, n, False)
        if report and kv['inplace'] != want:
            problems.append(f"whole file: kernel {kv['inplace'].count('1')} "
                            f"in place, planner {want.count('1')}")
        if kv['inplace'] != predicted(pred and pred['whole_file'], n):
            problems.append('whole file: checker prediction differs')
        if kv.get('content') != 'ok' and not (pred and pred.get('read_bug')):
            problems.append('whole file: content ' + kv.get('content', '?'))
        pred_segs = {s['pgoff']: s for s in (pred or {}).get('segments', [])}
        for s in segs.get(path, []):
            p, n = int(s['pgoff']), int(s['pages'])
            want = expected(pages, p, n, 'w' in s['flags'])
            if report and s['inplace'] != want:
                problems.append(f"segment at page {p} ({s['flags']}): kernel "
                                f"{s['inplace']}, planner {want}")
            if s['inplace'] != predicted(pred_segs.get(p), n):
                problems.append(f'segment at page {p}: checker prediction differs')
            if s.get('content') != 'ok':
                problems.append(f"segment at page {p}: content {s.get('content')}")
        compared += 1
        mark = 'FAIL' if problems else 'ok'
        bad += bool(problems)
        print(f"{mark}: {path}: {kv['inplace'].count('1')}/{kv['pages']} pages in place, "
              f"{len(segs.get(path, []))} segments; kernel == "
              f"{'planner == ' if report else ''}checker"
              if not problems else f"{mark}: {path}: " + '; '.join(problems))
    for path in sorted(set(planned) - set(whole)):
        print(f'FAIL: {path}: planned, but the kernel probe did not see it')
        bad += 1
    print(f'{compared} compared, {bad} mismatches')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
