using ServeSharp.Runtimes.Sklearn.Estimators.Composition;
using ServeSharp.Runtimes.Sklearn.Estimators.NaiveBayes;
using ServeSharp.Runtimes.Sklearn.Estimators.Neighbors;
using ServeSharp.Runtimes.Sklearn.Estimators.Neural;
using ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;
using ServeSharp.Runtimes.Sklearn.Estimators.Svm;
using ServeSharp.Runtimes.Sklearn.Estimators.Trees;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>One line per supported class beyond linear models and Pipeline.</summary>
internal static class EstimatorRegistrations
{
    public static void Register(EstimatorFactory f)
    {
        foreach (var scaler in new[] { "StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler" })
        {
            f.AddTransformer(scaler, (o, _) => new ColumnwiseAffine(o));
        }

        f.AddTransformer("Normalizer", (o, _) => new Normalizer(o));
        f.AddTransformer("PCA", (o, _) => new Pca(o));
        f.AddTransformer("PolynomialFeatures", (o, _) => new PolynomialFeatures(o));
        f.AddTransformer("FunctionTransformer", (o, _) => new FunctionTransformer(o));
        f.AddTransformer("SimpleImputer", (o, _) => new SimpleImputer(o));
        f.AddTransformer("OneHotEncoder", (o, _) => new OneHotEncoder(o));
        f.AddTransformer("OrdinalEncoder", (o, _) => new OrdinalEncoder(o));
        f.AddTransformer("ColumnTransformer", (o, d) => new ColumnTransformer(o, f, d));
        f.AddTransformer("FeatureUnion", (o, d) => new FeatureUnion(o, f, d));

        f.AddPredictor("SVC", (o, _) => new SupportVectorClassifier(o));
        f.AddPredictor("NuSVC", (o, _) => new SupportVectorClassifier(o));
        f.AddPredictor("SVR", (o, _) => new SupportVectorRegressor(o));
        f.AddPredictor("NuSVR", (o, _) => new SupportVectorRegressor(o));
        f.AddPredictor("GaussianNB", (o, _) => new GaussianNaiveBayes(o));
        f.AddPredictor("KNeighborsClassifier", (o, _) => new KNeighbors(o, classifier: true));
        f.AddPredictor("KNeighborsRegressor", (o, _) => new KNeighbors(o, classifier: false));
        f.AddPredictor("MLPClassifier", (o, _) => new MultilayerPerceptron(o, classifier: true));
        f.AddPredictor("MLPRegressor", (o, _) => new MultilayerPerceptron(o, classifier: false));

        f.AddPredictor("DecisionTreeClassifier", (o, _) => new ForestModel(o, classifier: true, forest: false));
        f.AddPredictor("ExtraTreeClassifier", (o, _) => new ForestModel(o, classifier: true, forest: false));
        f.AddPredictor("DecisionTreeRegressor", (o, _) => new ForestModel(o, classifier: false, forest: false));
        f.AddPredictor("ExtraTreeRegressor", (o, _) => new ForestModel(o, classifier: false, forest: false));
        f.AddPredictor("RandomForestClassifier", (o, _) => new ForestModel(o, classifier: true, forest: true));
        f.AddPredictor("ExtraTreesClassifier", (o, _) => new ForestModel(o, classifier: true, forest: true));
        f.AddPredictor("RandomForestRegressor", (o, _) => new ForestModel(o, classifier: false, forest: true));
        f.AddPredictor("ExtraTreesRegressor", (o, _) => new ForestModel(o, classifier: false, forest: true));
        f.AddPredictor("GradientBoostingClassifier", (o, _) => new GradientBoostingModel(o, classifier: true));
        f.AddPredictor("GradientBoostingRegressor", (o, _) => new GradientBoostingModel(o, classifier: false));
        f.AddPredictor("HistGradientBoostingClassifier", (o, _) => new HistGradientBoostingModel(o, classifier: true));
        f.AddPredictor("HistGradientBoostingRegressor", (o, _) => new HistGradientBoostingModel(o, classifier: false));
        f.AddPredictor("IsolationForest", (o, _) => new IsolationForestModel(o));
    }
}
