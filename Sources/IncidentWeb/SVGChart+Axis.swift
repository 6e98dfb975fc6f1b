extension SVGChart {
    /// A y axis from 0 to a round number at or above the largest value, with ticks at a round step (1, 2 or 5
    /// times a power of ten), four to about eight of them.
    struct Axis: Equatable {
        /// The value at the top of the plot: a multiple of `step`, at least 1.
        var top: Int
        var step: Int

        init(maximum: Int) {
            guard maximum > 0 else {
                top = 1
                step = 1
                return
            }
            var power = 1
            var step = 1
            search: while true {
                for factor in [1, 2, 5] where maximum <= factor * power * 5 {
                    step = factor * power
                    break search
                }
                power *= 10
            }
            self.step = step
            top = (maximum + step - 1) / step * step
        }

        /// 0, step, 2·step … top.
        var ticks: [Int] { Array(stride(from: 0, through: top, by: step)) }
    }
}
