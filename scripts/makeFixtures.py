#!/usr/bin/python3
"""Writes the data-loader test fixtures under test/fixtures/data/ (run from the repo root with the Debian python:
`/usr/bin/python3 scripts/makeFixtures.py`; needs numpy + scikit-learn, and node for the one JPEG).

Every fixture gets its expected values from numpy/sklearn (not from our loaders) in `*.expected.json` sidecars, so the
tests check the TypeScript readers against an independent implementation.
"""
import gzip
import json
import os
import shutil
import struct
import subprocess
import zlib

import numpy as np
from sklearn.datasets import load_digits, load_iris

OUT = os.path.join('test', 'fixtures', 'data')
FASHION = '/usr/share/datasets/fashion-mnist'


def write(name, data, mode='w'):
    p = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, mode, newline='' if mode == 'w' else None) as f:
        f.write(data)


def expected(name, obj):
    write(name, json.dumps(obj, indent=None, separators=(',', ':')) + '\n')


def f32(a):
    """Values as float32 -> python float, i.e. what a Float32Array holds."""
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def png_bytes(pixels):
    """Minimal PNG encoder: 8-bit grey (h, w) or RGB (h, w, 3), filter 0 on every row."""
    pixels = np.asarray(pixels, dtype=np.uint8)
    h, w = pixels.shape[:2]
    color = 0 if pixels.ndim == 2 else 2
    raw = b''.join(b'\x00' + pixels[y].tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, color, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)

    # --- CSV: 40 iris rows (14 + 13 + 13 of the three species), quoted species, a free-text note column with a
    # comma, a doubled quote and an embedded newline (must be dropped with a warning, and shift the line numbers).
    iris = load_iris()
    rows = list(range(0, 14)) + list(range(50, 63)) + list(range(100, 113))
    names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']
    lines = ['sepal_length,sepal_width,"petal_length",petal_width,species,note']
    line_no = []
    cur = 2
    for k, i in enumerate(rows):
        note = 'plain' if k % 7 else 'has, comma and "quote"\nand a second line'
        line_no.append(cur)
        vals = ','.join(repr(float(v)) for v in iris.data[i])
        text = f'{vals},"{iris.target_names[iris.target[i]]}","' + note.replace('"', '""') + '"'
        lines.append(text)
        cur += 1 + text.count('\n')
    write('iris40.csv', '\r\n'.join(lines) + '\r\n')
    expected('iris40.expected.json', {
        'columns': names, 'n': len(rows), 'features': f32(iris.data[rows]),
        'labels': [str(iris.target_names[iris.target[i]]) for i in rows], 'lines': line_no})

    # --- TSV: first 40 sklearn digits (8x8, 0..16), numeric `target` column (label by labelColumn).
    digits = load_digits()
    d = digits.data[:40]
    t = digits.target[:40]
    header = [f'pixel_{r}_{c}' for r in range(8) for c in range(8)] + ['target']
    body = ['\t'.join(header)] + ['\t'.join([str(int(v)) for v in d[i]] + [str(int(t[i]))]) for i in range(40)]
    write('digits40.tsv', '\n'.join(body) + '\n')
    expected('digits40.expected.json', {'columns': header[:-1], 'features': f32(d), 'labels': [str(int(v)) for v in t]})

    # --- whitespace-delimited .txt (numpy savetxt), no header
    small = np.round(np.random.default_rng(1).normal(size=(6, 3)), 4)
    np.savetxt(os.path.join(OUT, 'small.txt'), small, fmt='%.4f')
    expected('small.expected.json', {'features': f32(small)})

    # --- JSON: objects, arrays, {X, y} with 8x8 images, JSONL
    objs = [dict(zip(names, map(float, iris.data[i])), species=str(iris.target_names[iris.target[i]])) for i in rows[:12]]
    write('iris.objects.json', json.dumps(objs, indent=2) + '\n')
    write('digits.arrays.json', json.dumps([[int(v) for v in r] for r in d[:10]]) + '\n')
    write('digits.xy.json', json.dumps({'X': [digits.images[i].astype(int).tolist() for i in range(10)], 'y': [int(v) for v in t[:10]]}) + '\n')
    write('iris.jsonl', ''.join(json.dumps(o) + '\n' + ('\n' if k == 3 else '') for k, o in enumerate(objs)))
    expected('json.expected.json', {'objects': f32(iris.data[rows[:12]]), 'objectLabels': [o['species'] for o in objs],
                                    'arrays': f32(d[:10]), 'xy': f32(digits.images[:10]), 'xyLabels': [str(int(v)) for v in t[:10]]})

    # --- NPY: several dtypes, 1D, 3D uint8 images, Fortran order, format v2, big-endian, truncated
    rng = np.random.default_rng(7)
    arrs = {
        'f4': rng.normal(size=(5, 3)).astype('<f4'),
        'f8': rng.normal(size=(4, 2)).astype('<f8'),
        'u1': rng.integers(0, 256, size=(6, 4)).astype('|u1'),
        'i1': rng.integers(-128, 128, size=(3, 3)).astype('|i1'),
        'i2': rng.integers(-30000, 30000, size=(3, 2)).astype('<i2'),
        'u2': rng.integers(0, 65535, size=(3, 2)).astype('<u2'),
        'i4': rng.integers(-10**6, 10**6, size=(4, 3)).astype('<i4'),
        'u4': rng.integers(0, 10**6, size=(2, 3)).astype('<u4'),
        'i8': rng.integers(-10**6, 10**6, size=(3, 2)).astype('<i8'),
        'be': rng.normal(size=(3, 2)).astype('>f8'),
        'vec': np.arange(7, dtype='<f4') * 0.5,
        'images': digits.images[:6].astype('|u1'),
        'rgb': rng.integers(0, 256, size=(2, 3, 4, 3)).astype('|u1'),
        'fortran': np.asfortranarray(rng.normal(size=(4, 3)).astype('<f4')),
    }
    exp = {}
    for k, a in arrs.items():
        np.save(os.path.join(OUT, f'{k}.npy'), a)
        exp[k] = {'shape': list(a.shape), 'values': f32(np.ascontiguousarray(a))}
    with open(os.path.join(OUT, 'v2.npy'), 'wb') as f:
        np.lib.format.write_array(f, arrs['f4'], version=(2, 0))
    exp['v2'] = exp['f4']
    raw = open(os.path.join(OUT, 'f8.npy'), 'rb').read()
    write('truncated.npy', raw[:-5], 'wb')
    expected('npy.expected.json', exp)

    # --- NPZ: stored (savez: x, y, extra) and deflated (savez_compressed: data, text labels)
    x = digits.data[:12].astype('<f4')
    y = digits.target[:12].astype('<i8')
    np.savez(os.path.join(OUT, 'stored.npz'), x=x, y=y, extra=np.zeros(3))
    names12 = np.array([f'digit{v}' for v in y])
    np.savez_compressed(os.path.join(OUT, 'compressed.npz'), data=x, labels=names12)
    expected('npz.expected.json', {'x': f32(x), 'y': [str(int(v)) for v in y], 'names': [str(s) for s in names12],
                                   'extra': f32(np.zeros(3))})

    # --- IDX: first 20 Fashion-MNIST test images + labels, plain and gzip; an f32 and i16 table; a bad magic
    if os.path.isdir(FASHION):
        with gzip.open(os.path.join(FASHION, 't10k-images-idx3-ubyte.gz')) as f:
            img = f.read()
        with gzip.open(os.path.join(FASHION, 't10k-labels-idx1-ubyte.gz')) as f:
            lab = f.read()
        n = 20
        images = np.frombuffer(img, dtype=np.uint8, offset=16)[:n * 784]
        labels = np.frombuffer(lab, dtype=np.uint8, offset=8)[:n]
        img_bytes = struct.pack('>BBBBIII', 0, 0, 8, 3, n, 28, 28) + images.tobytes()
        lab_bytes = struct.pack('>BBBBI', 0, 0, 8, 1, n) + labels.tobytes()
        write('idx/mini-images-idx3-ubyte', img_bytes, 'wb')
        write('idx/mini-labels-idx1-ubyte', lab_bytes, 'wb')
        write('idxgz/mini-images-idx3-ubyte.gz', gzip.compress(img_bytes, mtime=0), 'wb')
        write('idxgz/mini-labels-idx1-ubyte.gz', gzip.compress(lab_bytes, mtime=0), 'wb')
        write('idx/short-labels.idx1', struct.pack('>BBBBI', 0, 0, 8, 1, 5) + labels[:5].tobytes(), 'wb')
        expected('idx.expected.json', {'images': [int(v) for v in images], 'labels': [str(int(v)) for v in labels]})
    tab = rng.normal(size=(3, 4)).astype('>f4')
    write('idx/table.idx', struct.pack('>BBBBII', 0, 0, 0x0D, 2, 3, 4) + tab.tobytes(), 'wb')
    i16 = rng.integers(-3000, 3000, size=(5,)).astype('>i2')
    write('idx/vec.idx1', struct.pack('>BBBBI', 0, 0, 0x0B, 1, 5) + i16.tobytes(), 'wb')
    write('idx/bad-magic.idx', b'\x01\x02\x08\x01' + struct.pack('>I', 2) + b'\x00\x01', 'wb')
    expected('idxtables.expected.json', {'table': f32(tab), 'vec': f32(i16)})

    # --- image folder: classes as sub-folders, grey + RGB PNGs, one JPEG, a non-image file to skip
    gy, gx = np.mgrid[0:6, 0:5]
    grey_a = (gy * 40 + gx * 10).astype(np.uint8)               # 6x5 grey
    rgb_b = np.stack([gy * 50, gx * 60, 255 - gy * 20], axis=-1).astype(np.uint8)  # 6x5 RGB
    grey_c = (255 - grey_a).astype(np.uint8)
    write('images/cats/a.png', png_bytes(grey_a), 'wb')
    write('images/cats/c.png', png_bytes(grey_c), 'wb')
    write('images/dogs/b.png', png_bytes(rgb_b), 'wb')
    smooth = np.full((6, 5, 3), 128, dtype=np.uint8)
    smooth[..., 0] = 100
    rgba = np.concatenate([smooth, np.full((6, 5, 1), 255, np.uint8)], axis=-1)
    script = ("const j=require('jpeg-js');const d=Buffer.from(process.argv[1],'hex');"
              "process.stdout.write(j.encode({data:d,width:5,height:6},100).data)")
    jpg = subprocess.run(['node', '-e', script, rgba.tobytes().hex()], check=True, capture_output=True).stdout
    write('images/dogs/d.jpg', jpg, 'wb')
    write('images/README.txt', 'not an image\n')
    luma = lambda rgb: 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]  # noqa: E731
    expected('images.expected.json', {
        'files': ['cats/a.png', 'cats/c.png', 'dogs/b.png', 'dogs/d.jpg'], 'labels': ['cats', 'cats', 'dogs', 'dogs'],
        'grey': [f32(grey_a), f32(grey_c), f32(luma(rgb_b.astype(np.float64))), f32(luma(smooth.astype(np.float64)))],
        'rgb': [f32(np.repeat(grey_a[..., None], 3, -1)), f32(np.repeat(grey_c[..., None], 3, -1)), f32(rgb_b), f32(smooth)]})
    write('images_mixed/big.png', png_bytes(np.zeros((4, 4), np.uint8)), 'wb')
    write('images_mixed/small.png', png_bytes(np.full((2, 2), 200, np.uint8)), 'wb')
    write('images_bad/good.png', png_bytes(grey_a), 'wb')
    write('images_bad/zbroken.png', png_bytes(grey_a)[:40], 'wb')

    # --- bad delimited inputs
    write('bad_cell.csv', 'a,b,c\n1,2,3\n4,oops,6\n7,8,9\n')
    write('ragged.csv', 'a,b,c\n1,2,3\n4,5\n7,8,9\n')
    write('missing.csv', 'a,b,c\n1,2,3\n4,NA,6\n')
    write('empty.csv', '')
    write('text_only.csv', 'name,city\nann,paris\nbob,rome\n')
    write('header_only.csv', 'a,b,c\n')
    write('semicolon.csv', 'x;y;kind\n1.5;2;p\n3;4;q\n')
    write('bad.jsonl', '{"a": 1, "b": 2}\n{"a": 3, "b": "x"}\n')
    write('broken.json', '[{"a": 1},\n {"a": 2,,}]\n')


if __name__ == '__main__':
    main()
