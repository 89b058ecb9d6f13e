//! Merge identical modules in rust-hdl's output.
//!
//! rust-hdl writes every instance as a module of its own (`top$engine$lanes$3$tbl$5`), so the
//! 28 × 16 engine alone is hundreds of copies of a few modules. Verilator and Yosys then compile
//! every copy. This pass finds modules whose text is the same once their own name and the names
//! of the modules they instantiate are put in canonical form (children first, so equal subtrees
//! collapse bottom-up), keeps one of each, and points every instance at it. The logic is
//! unchanged; only names of module *types* change.

use std::collections::HashMap;

struct Module {
    name: String,
    text: String,
}

/// Split Verilog text into (text before the first module, modules).
fn split(v: &str) -> (String, Vec<Module>) {
    let mut head = String::new();
    let mut mods = Vec::new();
    let mut cur: Option<Module> = None;
    for line in v.split_inclusive('\n') {
        if let Some(m) = cur.as_mut() {
            m.text.push_str(line);
            if line.starts_with("endmodule") {
                mods.push(cur.take().expect("inside a module"));
            }
        } else if let Some(rest) = line.strip_prefix("module ") {
            let name = rest
                .split(['(', ' ', ';'])
                .next()
                .unwrap_or_default()
                .to_string();
            cur = Some(Module {
                name,
                text: line.to_string(),
            });
        } else {
            head.push_str(line);
        }
    }
    if let Some(m) = cur {
        // An unterminated module: keep it verbatim rather than lose it.
        head.push_str(&m.text);
    }
    (head, mods)
}

/// The module-type name an instance line starts with, if the line instantiates a module.
fn instance_type(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let word = t.split_whitespace().next()?;
    let after = t[word.len()..].trim_start();
    // `TYPE NAME(` or `TYPE #(`.
    (after.starts_with('#')
        || after
            .split_whitespace()
            .next()
            .is_some_and(|n| n.contains('(')))
    .then_some(word)
}

/// Rewrite `text` with its own name replaced by `self_name` and every instantiated module type
/// mapped through `rename`.
fn rewrite(m: &Module, self_name: &str, rename: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(m.text.len());
    for line in m.text.split_inclusive('\n') {
        if line.starts_with("module ") {
            out.push_str(&line.replacen(&m.name, self_name, 1));
        } else if line.starts_with("endmodule") {
            out.push_str(&format!("endmodule // {self_name}\n"));
        } else if let Some(ty) = instance_type(line).filter(|t| rename.contains_key(*t)) {
            out.push_str(&line.replacen(ty, &rename[ty], 1));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The deduplicated Verilog, and (modules before, modules after).
pub fn dedup_modules(verilog: &str) -> (String, usize, usize) {
    let (head, mods) = split(verilog);
    let names: HashMap<&str, usize> = mods
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();
    // Children of each module (module types it instantiates that are defined here).
    let children: Vec<Vec<usize>> = mods
        .iter()
        .map(|m| {
            m.text
                .lines()
                .filter_map(instance_type)
                .filter_map(|t| names.get(t).copied())
                .collect()
        })
        .collect();
    // Children before parents (iterative post-order; the hierarchy is a tree of types).
    let mut order = Vec::with_capacity(mods.len());
    let mut state = vec![0u8; mods.len()]; // 0 new, 1 on stack, 2 done
    for root in 0..mods.len() {
        let mut stack = vec![(root, 0usize)];
        while let Some((n, i)) = stack.pop() {
            if i == 0 {
                if state[n] != 0 {
                    continue;
                }
                state[n] = 1;
            }
            if let Some(&c) = children[n].get(i) {
                stack.push((n, i + 1));
                if state[c] == 0 {
                    stack.push((c, 0));
                }
            } else {
                state[n] = 2;
                order.push(n);
            }
        }
    }
    let mut rename: HashMap<String, String> = HashMap::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut keep = Vec::new();
    for &i in &order {
        let m = &mods[i];
        let canon = rewrite(m, "\u{0}SELF", &rename);
        match seen.get(&canon) {
            Some(rep) => {
                rename.insert(m.name.clone(), rep.clone());
            }
            None => {
                seen.insert(canon, m.name.clone());
                rename.insert(m.name.clone(), m.name.clone());
                keep.push(i);
            }
        }
    }
    // Write the kept modules in their original order.
    keep.sort_unstable();
    let mut out = head;
    for &i in &keep {
        let m = &mods[i];
        out.push_str(&rewrite(m, &m.name, &rename));
    }
    (out, mods.len(), keep.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = "\
// header
module top(a,b);
    top$x$0 x$0(.a(a));
    top$x$1 x$1(.a(b));
    top$y y(.a(a));
endmodule // top
module top$x$0(a);
    top$x$0$d d(.a(a));
endmodule // top$x$0
module top$x$0$d(a);
    assign q = a;
endmodule // top$x$0$d
module top$x$1(a);
    top$x$1$d d(.a(a));
endmodule // top$x$1
module top$x$1$d(a);
    assign q = a;
endmodule // top$x$1$d
module top$y(a);
    assign q = ~a;
endmodule // top$y
";

    #[test]
    fn equal_subtrees_collapse_and_instances_follow() {
        let (out, before, after) = dedup_modules(V);
        assert_eq!((before, after), (6, 4));
        assert!(out.starts_with("// header\n"));
        assert!(
            out.contains("    top$x$0 x$0(.a(a));\n    top$x$0 x$1(.a(b));"),
            "{out}"
        );
        assert!(!out.contains("module top$x$1"));
        assert!(!out.contains("module top$x$1$d"));
        assert!(out.contains("module top$y(a);"));
        // Idempotent.
        assert_eq!(dedup_modules(&out).0, out);
    }

    #[test]
    fn different_bodies_stay_apart() {
        let v = V.replace(
            "module top$x$1$d(a);\n    assign q = a;",
            "module top$x$1$d(a);\n    assign q = !a;",
        );
        let (_, before, after) = dedup_modules(&v);
        assert_eq!((before, after), (6, 6));
    }
}
