using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Trees.Tests.Engine;

public sealed class TreeEnsembleTests
{
    // A stump on feature 0 at threshold t: left leaf -1, right leaf +1.
    private static TreeArrays Stump(double threshold, int feature = 0, bool defaultLeft = false,
        MissingValueRule rule = MissingValueRule.NaN, uint[]? bitset = null, double left = -1, double right = 1) => new()
    {
        LeftChild = [1, -1, -1],
        RightChild = [2, -1, -1],
        SplitFeature = [feature, 0, 0],
        Threshold = [threshold, 0, 0],
        LeafValues = [0, left, right],
        DefaultLeft = [defaultLeft, false, false],
        MissingRule = [rule, MissingValueRule.NaN, MissingValueRule.NaN],
        CategoryBitsets = bitset is null ? null : [bitset, null, null],
    };

    private static double Predict(TreeEnsemble ensemble, params double[] row)
    {
        var output = new double[ensemble.OutputCount];
        ensemble.PredictRaw(row, output);
        return output[0];
    }

    private static TreeEnsemble One(TreeArrays tree, Action<TreeEnsembleBuilder>? configure = null, int features = 1)
    {
        var builder = new TreeEnsembleBuilder(features, 1);
        configure?.Invoke(builder);
        builder.AddTree(tree);
        return builder.Build();
    }

    [Fact]
    public void Comparison_AtThreshold_LessOrEqualGoesLeftLessThanGoesRight()
    {
        Assert.Equal(-1, Predict(One(Stump(0.5)), 0.5));
        Assert.Equal(1, Predict(One(Stump(0.5), b => b.Comparison = SplitComparison.LessThan), 0.5));
        Assert.Equal(-1, Predict(One(Stump(0.5), b => b.Comparison = SplitComparison.LessThan), 0.49));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, -1)]
    public void NaN_GoesToDefaultChild(bool defaultLeft, double expected)
    {
        Assert.Equal(expected, Predict(One(Stump(0.5, defaultLeft: defaultLeft)), double.NaN));
        Assert.Equal(expected, Predict(One(Stump(0.5, defaultLeft: defaultLeft), b => b.Comparison = SplitComparison.LessThan), double.NaN));
    }

    [Theory]
    [InlineData(SplitComparison.LessOrEqual, double.PositiveInfinity, false, 1)]
    [InlineData(SplitComparison.LessOrEqual, double.NaN, true, -1)]
    [InlineData(SplitComparison.LessThan, double.NegativeInfinity, true, -1)]
    [InlineData(SplitComparison.LessThan, double.NaN, true, -1)]
    public void NaN_GoesToDefaultChild_AtThresholdsThatAreNotFinite(SplitComparison comparison, double threshold, bool defaultLeft, double expected)
    {
        // A single row with a missing value is walked with NaN filled as -inf or +inf by default side, which only
        // finite thresholds order correctly; trees like these must still send NaN to the default side.
        var builder = new TreeEnsembleBuilder(2, 1) { Comparison = comparison };
        builder.AddTree(Stump(0.5, feature: 1, left: 10, right: 20));
        builder.AddTree(Stump(threshold, defaultLeft: defaultLeft));
        var ensemble = builder.Build();
        Assert.Equal(expected + 10, Predict(ensemble, double.NaN, 0.25));
        Assert.Equal(expected + 20, Predict(ensemble, double.NaN, double.NaN));
    }

    [Fact]
    public void NaNAsZero_ComparesZeroAndIgnoresDefault()
    {
        // NaN → 0 → 0 <= 0.5 → left although the default is right; and 0 <= -0.5 fails → right although default left.
        Assert.Equal(-1, Predict(One(Stump(0.5, rule: MissingValueRule.NaNAsZero)), double.NaN));
        Assert.Equal(1, Predict(One(Stump(-0.5, defaultLeft: true, rule: MissingValueRule.NaNAsZero)), double.NaN));
    }

    [Fact]
    public void ZeroOrNaN_SendsZeroAndNaNToDefault()
    {
        var ensemble = One(Stump(-0.5, defaultLeft: true, rule: MissingValueRule.ZeroOrNaN));
        Assert.Equal(-1, Predict(ensemble, double.NaN));
        Assert.Equal(-1, Predict(ensemble, 0.0));
        Assert.Equal(-1, Predict(ensemble, 1e-36));
        Assert.Equal(1, Predict(ensemble, 1e-30));
        Assert.Equal(-1, Predict(ensemble, -1.0));
    }

    [Fact]
    public void Categorical_InSetGoesConfiguredSide_NotInSetAndInvalidGoOther()
    {
        uint[] set = [0b1010, 1u << 1]; // categories 1, 3, 33
        var lgb = One(Stump(0, bitset: set));
        Assert.Equal(-1, Predict(lgb, 1));
        Assert.Equal(-1, Predict(lgb, 3.7)); // truncated to 3
        Assert.Equal(-1, Predict(lgb, 33));
        Assert.Equal(1, Predict(lgb, 2));
        Assert.Equal(1, Predict(lgb, 64)); // beyond the bitset
        Assert.Equal(1, Predict(lgb, -1));
        Assert.Equal(1, Predict(lgb, 1e300));
        Assert.Equal(1, Predict(lgb, double.NaN)); // default right

        var xgb = One(Stump(0, defaultLeft: true, bitset: set), b =>
        {
            b.CategoryInSetGoesLeft = false;
            b.CategoryCast = CategoryCast.RejectNegative;
        });
        Assert.Equal(1, Predict(xgb, 1));
        Assert.Equal(-1, Predict(xgb, 2));
        Assert.Equal(-1, Predict(xgb, double.NaN)); // default left
    }

    [Fact]
    public void Categorical_SmallNegative_TruncatesToZeroOnlyUnderTruncateTowardZero()
    {
        uint[] set = [1]; // category 0
        Assert.Equal(-1, Predict(One(Stump(0, bitset: set)), -0.5));
        Assert.Equal(1, Predict(One(Stump(0, bitset: set), b => b.CategoryCast = CategoryCast.RejectNegative), -0.5));
    }

    [Fact]
    public void CastFeaturesToFloat32_ChangesComparisonAgainstDoubleThreshold()
    {
        // (float)0.1 = 0.100000001490116... > 0.1
        Assert.Equal(-1, Predict(One(Stump(0.1)), 0.1));
        Assert.Equal(1, Predict(One(Stump(0.1), b => b.CastFeaturesToFloat32 = true), 0.1));
    }

    [Fact]
    public void Float32Accumulation_RoundsEveryAddition()
    {
        var builder = new TreeEnsembleBuilder(1, 1) { Accumulation = AccumulationPrecision.Float32, BaseScores = [0.5] };
        var leaves = new[] { 0.1, 1e-8, 0.2, 1e-8, 0.3 };
        foreach (var v in leaves)
        {
            builder.AddTree(Stump(0.5, left: v, right: v), weight: 0.7);
        }

        var expected = 0.5f;
        foreach (var v in leaves)
        {
            expected += (float)v * 0.7f;
        }

        var actual = Predict(builder.Build(), 0.0);
        Assert.Equal(expected, actual);
        Assert.Equal(actual, (float)actual); // exactly a float
    }

    [Fact]
    public void SingleLeafTrees_AddInTreeOrder_BeforeAndAfterSplits()
    {
        // Output 0: base 1, leaves 4e-8 and 4e-8 (each lost against 1 in float), a stump (-1 / +1), then 4e-8 twice
        // (kept once the sum is 0). Output 1: only single leaves, weighted.
        static TreeArrays Leaf(double value) => new()
        {
            LeftChild = [-1], RightChild = [-1], SplitFeature = [0], Threshold = [0], LeafValues = [value],
        };

        var builder = new TreeEnsembleBuilder(1, 2) { Accumulation = AccumulationPrecision.Float32, BaseScores = [1, 0.25] };
        builder.AddTree(Leaf(4e-8), outputIndex: 0);
        builder.AddTree(Leaf(0.1), outputIndex: 1, weight: 0.7);
        builder.AddTree(Leaf(4e-8), outputIndex: 0);
        builder.AddTree(Stump(0.5), outputIndex: 0);
        builder.AddTree(Leaf(1e-8), outputIndex: 1, weight: 0.7);
        builder.AddTree(Leaf(4e-8), outputIndex: 0);
        builder.AddTree(Leaf(4e-8), outputIndex: 0);
        var ensemble = builder.Build();

        float Sum(float split)
        {
            var sum = 1f;
            foreach (var v in new[] { 4e-8f, 4e-8f, split, 4e-8f, 4e-8f })
            {
                sum += v;
            }

            return sum;
        }

        var left = Sum(-1);
        var right = Sum(1);
        var other = 0.25f + 0.1f * 0.7f + 1e-8f * 0.7f;
        Assert.Equal(8e-8f, left, 0.5e-8f);
        Assert.NotEqual(0f, left);
        Assert.NotEqual(1 + (4e-8f + 4e-8f) - 1, left); // what adding the leading leaves first would give

        var single = new double[2];
        ensemble.PredictRaw([0.0], single);
        Assert.Equal(new double[] { left, other }, single);
        ensemble.PredictRaw([1.0], single);
        Assert.Equal(new double[] { right, other }, single);

        const int rows = 9;
        var x = Enumerable.Range(0, rows).Select(r => r % 3 == 0 ? 1.0 : 0.0).ToArray();
        var batch = new double[rows * 2];
        ensemble.PredictRaw(x, rows, batch);
        for (var r = 0; r < rows; r++)
        {
            Assert.Equal(x[r] == 1.0 ? right : left, batch[r * 2]);
            Assert.Equal(other, batch[r * 2 + 1]);
        }
    }

    [Fact]
    public void Float64Accumulation_WeightsAndBaseScoresPerOutput()
    {
        var builder = new TreeEnsembleBuilder(2, 2) { BaseScores = [10, 20] };
        builder.AddTree(Stump(0.5, feature: 0), outputIndex: 0, weight: 0.1);
        builder.AddTree(Stump(0.5, feature: 1), outputIndex: 1, weight: 0.3);
        builder.AddTree(Stump(0.5, feature: 1), outputIndex: 0);
        var ensemble = builder.Build();
        var output = new double[2];
        ensemble.PredictRaw([0.0, 1.0], output);
        Assert.Equal(10 + -1 * 0.1 + 1, output[0]);
        Assert.Equal(20 + 1 * 0.3, output[1]);
    }

    [Fact]
    public void VectorLeaves_AddToEveryOutput_AndDivisorAverages()
    {
        var tree = new TreeArrays
        {
            LeftChild = [1, -1, -1],
            RightChild = [2, -1, -1],
            SplitFeature = [0, 0, 0],
            Threshold = [0.5, 0, 0],
            LeafValues = [0, 0, 0, 0.9, 0.1, 0.0, 0.2, 0.3, 0.5],
            LeafWidth = 3,
        };
        var builder = new TreeEnsembleBuilder(1, 3) { Divisor = 2 };
        builder.AddTree(tree);
        builder.AddTree(tree);
        var ensemble = builder.Build();
        var output = new double[6];
        ensemble.PredictRaw([0.0, 1.0], 2, output);
        Assert.Equal(new[] { (0.9 + 0.9) / 2, (0.1 + 0.1) / 2, 0, (0.2 + 0.2) / 2, (0.3 + 0.3) / 2, (0.5 + 0.5) / 2 }, output);
    }

    [Fact]
    public void LinearLeaf_UsesModel_FallsBackToLeafValueOnNaN()
    {
        var tree = Stump(0.5, left: 7, right: 8) is var s
            ? new TreeArrays
            {
                LeftChild = s.LeftChild, RightChild = s.RightChild, SplitFeature = s.SplitFeature,
                Threshold = s.Threshold, LeafValues = s.LeafValues,
                LinearLeaves = [null, new LinearLeaf(1.0, [1, 0], [2.0, 3.0]), null],
            }
            : throw new InvalidOperationException();
        var ensemble = One(tree, features: 2);
        Assert.Equal(1.0 + 2.0 * 10 + 3.0 * 0.25, Predict(ensemble, 0.25, 10));
        Assert.Equal(7, Predict(ensemble, 0.25, double.NaN));
        Assert.Equal(8, Predict(ensemble, 0.75, 10));
    }

    [Fact]
    public void Batch_EqualsSingleRow_AcrossBlockBoundaries()
    {
        var random = new Random(42);
        const int features = 5;
        var builder = new TreeEnsembleBuilder(features, 2);
        for (var t = 0; t < 20; t++)
        {
            builder.AddTree(RandomTree(random, features, depth: 4), outputIndex: t % 2, weight: 0.5 + random.NextDouble());
        }

        var ensemble = builder.Build();
        const int rows = 150;
        var x = new double[rows * features];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = i % 17 == 0 ? double.NaN : random.NextDouble();
        }

        var batch = new double[rows * 2];
        ensemble.PredictRaw(x, rows, batch);
        var single = new double[2];
        for (var r = 0; r < rows; r++)
        {
            ensemble.PredictRaw(x.AsSpan(r * features, features), single);
            Assert.Equal(single[0], batch[r * 2]);
            Assert.Equal(single[1], batch[r * 2 + 1]);
        }

        Assert.NotEqual(batch[0], batch[2]);
    }

    [Theory]
    [InlineData(SplitComparison.LessOrEqual, false, 0)]
    [InlineData(SplitComparison.LessThan, true, 0)]
    [InlineData(SplitComparison.LessThan, false, 5)]
    [InlineData(SplitComparison.LessOrEqual, false, 2)]
    public void Batch_OfIrregularTreesWithoutNaN_EqualsSingleRow(SplitComparison comparison, bool float32, int withNaNEvery)
    {
        // Trees of every shape up to depth 6 (masked when small, walked when not), thresholds and values from the same
        // few numbers so rows land exactly on thresholds; row by row is the walk, the batch finds leaves by masks
        // unless its block holds a NaN.
        var random = new Random(7);
        const int features = 3;
        var builder = new TreeEnsembleBuilder(features, 3)
        {
            Comparison = comparison,
            Accumulation = float32 ? AccumulationPrecision.Float32 : AccumulationPrecision.Float64,
            CastFeaturesToFloat32 = float32,
            BaseScores = [0.5, -0.5, 0],
        };
        for (var t = 0; t < 60; t++)
        {
            // Every seventh tree has vector leaves (one value per output).
            var width = t % 7 == 6 ? 3 : 1;
            builder.AddTree(IrregularTree(random, features, maxDepth: 1 + t % 6, width), outputIndex: width == 1 ? t % 3 : 0);
        }

        var ensemble = builder.Build();
        const int rows = 133;
        var x = new double[rows * features];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = withNaNEvery > 0 && i % (withNaNEvery * 41) == 3 ? double.NaN : random.Next(8) / 8.0;
        }

        var batch = new double[rows * 3];
        ensemble.PredictRaw(x, rows, batch);
        var single = new double[3];
        var distinct = new HashSet<double>();
        for (var r = 0; r < rows; r++)
        {
            ensemble.PredictRaw(x.AsSpan(r * features, features), single);
            Assert.Equal(single, batch.AsSpan(r * 3, 3).ToArray());
            distinct.Add(single[0]);
        }

        Assert.True(distinct.Count > 20, $"only {distinct.Count} distinct predictions");
    }

    // A random tree in the builder's arrays: each node is a leaf with some probability (always at maxDepth).
    private static TreeArrays IrregularTree(Random random, int features, int maxDepth, int width = 1)
    {
        var left = new List<int>();
        var right = new List<int>();
        var feature = new List<int>();
        var threshold = new List<double>();
        var values = new List<double>();
        var defaultLeft = new List<bool>();
        int Add(int depth)
        {
            var i = left.Count;
            defaultLeft.Add(random.Next(2) == 0);
            left.Add(-1);
            right.Add(-1);
            feature.Add(random.Next(features));
            threshold.Add(random.Next(1, 8) / 8.0);
            for (var j = 0; j < width; j++)
            {
                values.Add(random.Next(-64, 64) / 16.0 + random.NextDouble() / 1024);
            }
            if (depth < maxDepth && (depth == 0 || random.Next(4) != 0))
            {
                var l = Add(depth + 1);
                var r = Add(depth + 1);
                left[i] = l;
                right[i] = r;
            }

            return i;
        }

        Add(0);
        return new TreeArrays
        {
            LeftChild = [.. left], RightChild = [.. right], SplitFeature = [.. feature], Threshold = [.. threshold],
            LeafValues = [.. values], LeafWidth = width, DefaultLeft = [.. defaultLeft],
        };
    }

    [Fact]
    public void UnreachableNodes_AreDropped()
    {
        var tree = new TreeArrays
        {
            LeftChild = [1, -1, -1, 0],
            RightChild = [2, -1, -1, 0],
            SplitFeature = [0, 0, 0, 99],
            Threshold = [0.5, 0, 0, 0],
            LeafValues = [0, -1, 1, 0],
        };
        var ensemble = One(tree);
        Assert.Equal(3, ensemble.NodeCount);
        Assert.Equal(1, Predict(ensemble, 0.7));
    }

    [Fact]
    public void PredictRaw_WrongLengths_Throw()
    {
        var ensemble = One(Stump(0.5), features: 1);
        Assert.Throws<ArgumentException>(() => ensemble.PredictRaw(new double[2], new double[1]));
        Assert.Throws<ArgumentException>(() => ensemble.PredictRaw(new double[2], 2, new double[1]));
    }

    public static TheoryData<string, TreeArrays> BadTrees => new()
    {
        { "reached twice", new TreeArrays { LeftChild = [1, 0], RightChild = [1, 0], SplitFeature = [0, 0], Threshold = [0, 0], LeafValues = [0, 0] } },
        { "reached twice", new TreeArrays { LeftChild = [0], RightChild = [0], SplitFeature = [0], Threshold = [0], LeafValues = [0] } },
        { "reached twice", new TreeArrays { LeftChild = [1, -1], RightChild = [1, -1], SplitFeature = [0, 0], Threshold = [0, 0], LeafValues = [0, 0] } },
        { "child index 5", new TreeArrays { LeftChild = [5, -1], RightChild = [1, -1], SplitFeature = [0, 0], Threshold = [0, 0], LeafValues = [0, 0] } },
        { "child index -3", new TreeArrays { LeftChild = [1, -1], RightChild = [-3, -1], SplitFeature = [0, 0], Threshold = [0, 0], LeafValues = [0, 0] } },
        { "feature 7", new TreeArrays { LeftChild = [1, -1, -1], RightChild = [2, -1, -1], SplitFeature = [7, 0, 0], Threshold = [0, 0, 0], LeafValues = [0, 0, 0] } },
        { "feature -1", new TreeArrays { LeftChild = [1, -1, -1], RightChild = [2, -1, -1], SplitFeature = [-1, 0, 0], Threshold = [0, 0, 0], LeafValues = [0, 0, 0] } },
        { "Threshold has 1", new TreeArrays { LeftChild = [1, -1, -1], RightChild = [2, -1, -1], SplitFeature = [0, 0, 0], Threshold = [0], LeafValues = [0, 0, 0] } },
        { "LeafValues has 2", new TreeArrays { LeftChild = [1, -1, -1], RightChild = [2, -1, -1], SplitFeature = [0, 0, 0], Threshold = [0, 0, 0], LeafValues = [0, 0] } },
        { "leaf width 2", new TreeArrays { LeftChild = [-1], RightChild = [-1], SplitFeature = [0], Threshold = [0], LeafValues = [0, 0], LeafWidth = 2 } },
        { "no nodes", new TreeArrays { LeftChild = [], RightChild = [], SplitFeature = [], Threshold = [], LeafValues = [] } },
        { "linear leaf 0 uses feature 3", new TreeArrays { LeftChild = [-1], RightChild = [-1], SplitFeature = [0], Threshold = [0], LeafValues = [0], LinearLeaves = [new LinearLeaf(0, [3], [1])] } },
    };

    [Theory]
    [MemberData(nameof(BadTrees))]
    public void AddTree_InconsistentTree_ThrowsNamingTheProblem(string expected, TreeArrays tree)
    {
        var builder = new TreeEnsembleBuilder(2, 1);
        var error = Assert.Throws<TreeStructureException>(() => builder.AddTree(tree));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTree_OutputIndexOutOfRange_Throws()
    {
        var builder = new TreeEnsembleBuilder(1, 2);
        Assert.Throws<TreeStructureException>(() => builder.AddTree(Stump(0.5), outputIndex: 2));
        Assert.Throws<TreeStructureException>(() => builder.AddTree(Stump(0.5), weight: double.NaN));
    }

    [Fact]
    public void Build_WrongBaseScoreCount_Throws()
    {
        var builder = new TreeEnsembleBuilder(1, 2) { BaseScores = [1] };
        Assert.Throws<TreeStructureException>(builder.Build);
    }

    private static TreeArrays RandomTree(Random random, int features, int depth)
    {
        var n = (1 << (depth + 1)) - 1;
        var left = new int[n];
        var right = new int[n];
        var feature = new int[n];
        var threshold = new double[n];
        var values = new double[n];
        var defaultLeft = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var internalNode = 2 * i + 2 < n;
            left[i] = internalNode ? 2 * i + 1 : -1;
            right[i] = internalNode ? 2 * i + 2 : -1;
            feature[i] = random.Next(features);
            threshold[i] = random.NextDouble();
            values[i] = random.NextDouble() - 0.5;
            defaultLeft[i] = random.Next(2) == 0;
        }

        return new TreeArrays
        {
            LeftChild = left, RightChild = right, SplitFeature = feature, Threshold = threshold,
            LeafValues = values, DefaultLeft = defaultLeft,
        };
    }
}
