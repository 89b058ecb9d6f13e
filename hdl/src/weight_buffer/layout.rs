//! The weight image's DDR layout across the Loader's ports (`hdl/ARCHITECTURE.md`, "Memory
//! layouts in DDR", weights): a tile's u64 stream is padded with zeros to a multiple of
//! `S = P·BU` and dealt to the ports beat by beat — stream u64s `[(j·P + p)·BU, +BU)` are beat
//! `j` of port `p`. Port `p`'s region holds its beats of tile 0, then tile 1, …; tile `k` starts
//! at beat `k·TILE_BEATS` (the beats of a full tile).

use tellme_config::Config;

/// How to load one tile: the values for `load_u64s` and `load_beats`, and where it sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileLoad {
    /// First weight word of the tile in the matrix image.
    pub first_word: usize,
    /// Weight words in the tile.
    pub words: usize,
    /// `load_u64s`: real u64s of the tile (`words · C`).
    pub u64s: usize,
    /// `load_beats`: beats per port (`ceil(u64s / (P·BU))`).
    pub beats: usize,
    /// First beat of the tile in every port's region (`k · TILE_BEATS`); its byte offset is
    /// `beat_offset · BW/8`.
    pub beat_offset: usize,
}

/// Every port's region for a whole matrix image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortImage {
    /// `ports[p]`: the u64s of port `p`'s region, little-endian in DDR from `W_ADDR[p]`.
    pub ports: Vec<Vec<u64>>,
    /// `TILE_BEATS`: beats per port of a full tile (the stride between tiles).
    pub tile_beats: usize,
    pub tiles: Vec<TileLoad>,
}

fn geometry(cfg: &Config) -> (usize, usize) {
    (cfg.accel.axi_ports, cfg.accel.axi_data_bits / 64)
}

/// Beats per port that a tile of `u64s` u64s needs.
pub fn tile_beats(cfg: &Config, u64s: usize) -> usize {
    let (p, bu) = geometry(cfg);
    u64s.div_ceil(p * bu)
}

/// Deal one tile's u64 stream to the ports: `P` vectors of `tile_beats(u64s)·BU` u64s each
/// (the padding is zeros).
pub fn port_regions(cfg: &Config, tile: &[u64]) -> Vec<Vec<u64>> {
    let (p_n, bu) = geometry(cfg);
    let beats = tile_beats(cfg, tile.len());
    let mut ports = vec![vec![0u64; beats * bu]; p_n];
    for (i, &w) in tile.iter().enumerate() {
        let (j, rest) = (i / (p_n * bu), i % (p_n * bu));
        ports[rest / bu][j * bu + rest % bu] = w;
    }
    ports
}

/// Cut a matrix image (`model::pack` order) into tiles of `tile_words` weight words (the last
/// may be shorter) and lay every tile out across the ports.
pub fn image_port_regions(cfg: &Config, image: &[u64], tile_words: usize) -> PortImage {
    assert!(tile_words > 0, "a tile holds at least one weight word");
    let c = cfg.weight_word_u64s();
    assert_eq!(image.len() % c, 0, "an image is whole weight words");
    let (p_n, bu) = geometry(cfg);
    let words = image.len() / c;
    let full = tile_beats(cfg, tile_words * c);
    let mut out = PortImage {
        ports: vec![vec![]; p_n],
        tile_beats: full,
        tiles: vec![],
    };
    let mut first = 0;
    while first < words {
        let n = tile_words.min(words - first);
        let tile = &image[first * c..(first + n) * c];
        let offset = out.tiles.len() * full;
        for (p, region) in port_regions(cfg, tile).into_iter().enumerate() {
            out.ports[p].resize(offset * bu, 0);
            out.ports[p].extend(region);
        }
        out.tiles.push(TileLoad {
            first_word: first,
            words: n,
            u64s: n * c,
            beats: tile_beats(cfg, n * c),
            beat_offset: offset,
        });
        first += n;
    }
    out
}

/// [`image_port_regions`] as the bytes each port's DDR region holds (from `W_ADDR[p]`).
pub fn image_port_bytes(cfg: &Config, image: &[u64], tile_words: usize) -> Vec<Vec<u8>> {
    image_port_regions(cfg, image, tile_words)
        .ports
        .iter()
        .map(|p| le_bytes(p))
        .collect()
}

/// Little-endian bytes of u64s (how a region is written to DDR).
pub fn le_bytes(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dealing_round_trips_and_pads() {
        let cfg = tellme_config::preset("kv260-0.7b").unwrap(); // P = 3, BU = 4, C = 35
        let tile: Vec<u64> = (1..=70).collect();
        let ports = port_regions(&cfg, &tile);
        assert_eq!(ports.len(), 3);
        assert!(ports.iter().all(|p| p.len() == 6 * 4)); // 70 u64s → 6 beats of 12
        assert_eq!(&ports[0][..4], &[1, 2, 3, 4]);
        assert_eq!(&ports[1][..4], &[5, 6, 7, 8]);
        assert_eq!(&ports[0][4..8], &[13, 14, 15, 16]);
        assert_eq!(&ports[2][20..24], &[69, 70, 0, 0]);
        let img = image_port_regions(&cfg, &(0..35 * 5).collect::<Vec<u64>>(), 2);
        assert_eq!(img.tile_beats, 6);
        assert_eq!(img.tiles.len(), 3);
        assert_eq!(img.tiles[2].words, 1);
        assert_eq!(img.tiles[2].beats, 3);
        assert_eq!(img.tiles[2].beat_offset, 12);
        assert_eq!(img.ports[0].len(), (12 + 3) * 4);
        assert_eq!(img.ports[0][12 * 4], 4 * 35); // tile 2's first u64
    }
}
