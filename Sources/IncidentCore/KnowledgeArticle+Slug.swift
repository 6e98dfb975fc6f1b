import Foundation

extension KnowledgeArticle {
    /// The slug a title gives: diacritics folded (`Dépôt` → `depot`), lowercase, every run of anything but
    /// `a-z0-9` one `-`, no `-` at either end, at most 80 characters; `article` when nothing is left.
    public static func slug(fromTitle title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            let isWord = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isWord {
                if pendingDash, !out.isEmpty { out += "-" }
                pendingDash = false
                out.unicodeScalars.append(scalar)
                if out.count >= maxSlugLength { break }
            } else {
                pendingDash = true
            }
        }
        let trimmed = trimDashes(String(out.prefix(maxSlugLength)))
        return trimmed.isEmpty ? "article" : trimmed
    }

    /// The `n`th candidate for a slug (`n` ≥ 2 appends `-n`), cut so that it stays within 80 characters.
    public static func slug(_ base: String, attempt n: Int) -> String {
        guard n >= 2 else { return base }
        let suffix = "-\(n)"
        return trimDashes(String(base.prefix(maxSlugLength - suffix.count))) + suffix
    }

    /// Whether `text` could be a slug: 1 to 80 characters of `a-z`, `0-9` and `-`.
    public static func isValidSlug(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= maxSlugLength
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    static func trimDashes(_ text: String) -> String {
        var text = Substring(text)
        while text.hasPrefix("-") { text = text.dropFirst() }
        while text.hasSuffix("-") { text = text.dropLast() }
        return String(text)
    }
}
